package io.p2pnode.bus;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Sends a file, or a range of one, down a {@link P2pWriteStream} ({@link P2pWriteStream#sendFile})
 * without allocating per byte: reads of {@link #READ_BYTES} (up to {@link #ARRAYS_PER_READ} per task) on a worker thread into heap arrays
 * that are used again once the peer acknowledged every byte of them. The stream sends the arrays
 * where they are (no copy), holding a reference per message; an array goes back to the pool when
 * the last of them is released, so a retransmission never sees it change. One read at a time; at
 * most a write queue's worth of arrays ({@code setWriteQueueMaxSize}) is out. Runs on the stream's
 * context.
 */
final class FileSender {
  /** Bytes per read: below half of G1's smallest region (1 MiB), so an array is not a humongous object. */
  static final int READ_BYTES = 256 * 1024;
  /** Arrays one worker task reads at most: 1 MiB per hand-off. */
  static final int ARRAYS_PER_READ = 4;

  /** A heap buffer over a pooled array: going back to the pool instead of to the collector. */
  private final class Recycled extends UnpooledHeapByteBuf {
    private final byte[] bytes;

    Recycled(byte[] bytes, int length) {
      super(UnpooledByteBufAllocator.DEFAULT, bytes, bytes.length);
      this.bytes = bytes;
      writerIndex(length);
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      free.add(bytes); // on whichever thread released it last (the session's, on an acknowledgement)
      context.runOnContext(v -> pump());
    }
  }

  private final ContextInternal context;
  private final P2pWriteStream stream;
  private final Path path;
  private final long offset;
  private final long requested;
  private final int maxArrays;
  private final ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
  private final Promise<Void> done;
  private FileChannel channel;
  private long pos;
  private long end;
  private int arrays;
  private int writing;
  private boolean reading;
  private boolean finished;

  private FileSender(ContextInternal context, P2pWriteStream stream, Path path, long offset, long length, int writeQueueBytes) {
    this.context = context;
    this.stream = stream;
    this.path = path;
    this.offset = offset;
    this.requested = length;
    this.maxArrays = Math.max(2, writeQueueBytes / READ_BYTES + 1);
    this.done = context.promise();
  }

  /**
   * Sends {@code length} bytes of {@code path} from {@code offset} ({@code length} &lt; 0: to the
   * end of the file); completes once the peer acknowledged the last of them.
   */
  static Future<Void> send(ContextInternal context, P2pWriteStream stream, String path, long offset, long length, int writeQueueBytes) {
    if (offset < 0) return context.failedFuture(new IllegalArgumentException("offset " + offset + " is negative"));
    Path file;
    try {
      file = Path.of(path);
    } catch (RuntimeException e) { // null, or not a path here
      return context.failedFuture(new IllegalArgumentException("filename " + path + " is not a path: " + e.getMessage()));
    }
    FileSender s = new FileSender(context, stream, file, offset, length, writeQueueBytes);
    context.runOnContext(v -> s.open());
    return s.done.future();
  }

  private void open() {
    context.<FileChannel>executeBlocking(() -> FileChannel.open(path, StandardOpenOption.READ), false).onComplete(ar -> {
      if (ar.failed()) {
        finish(ar.cause());
        return;
      }
      channel = ar.result();
      context.<Long>executeBlocking(channel::size, false).onComplete(size -> {
        if (size.failed()) {
          finish(size.cause());
        } else if (offset > size.result() || (requested >= 0 && offset + requested > size.result())) {
          finish(new IllegalArgumentException("range " + offset + "+" + requested + " is beyond " + path + " (" + size.result() + " bytes)"));
        } else {
          pos = offset;
          end = requested < 0 ? size.result() : offset + requested;
          pump();
        }
      });
    });
  }

  /**
   * Starts the next read when one may go, or finishes once everything was acknowledged. A read
   * fills up to {@link #ARRAYS_PER_READ} arrays in one worker task: a task is a hand-off to the
   * worker and back, which costs more than reading 256 KiB from the page cache.
   */
  private void pump() {
    if (finished || channel == null || reading) return;
    if (pos >= end) {
      if (writing == 0) finish(null);
      return;
    }
    List<byte[]> into = new ArrayList<>(ARRAYS_PER_READ);
    long at = pos;
    while (into.size() < ARRAYS_PER_READ && pos < end) {
      byte[] bytes = free.poll();
      if (bytes == null) {
        if (arrays >= maxArrays) break; // one comes back with an acknowledgement
        arrays++;
        bytes = new byte[READ_BYTES];
      }
      into.add(bytes);
      pos += Math.min(READ_BYTES, end - pos);
    }
    if (into.isEmpty()) return;
    long until = pos;
    reading = true;
    context.<Void>executeBlocking(() -> {
      for (int i = 0; i < into.size(); i++) {
        long from = at + (long) i * READ_BYTES;
        readFully(into.get(i), (int) Math.min(READ_BYTES, until - from), from);
      }
      return null;
    }, false).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        free.addAll(into);
        finish(ar.cause());
        return;
      }
      for (int i = 0; i < into.size(); i++) {
        long from = at + (long) i * READ_BYTES;
        Recycled buf = new Recycled(into.get(i), (int) Math.min(READ_BYTES, until - from));
        writing++;
        stream.write(BufferInternal.buffer(buf)).onComplete(w -> {
          writing--;
          buf.release(); // ours; the stream's messages hold their own until acknowledged
          if (w.failed()) finish(w.cause());
          else pump();
        });
      }
      pump();
    });
  }

  private void readFully(byte[] into, int n, long at) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, 0, n);
    while (b.hasRemaining()) {
      if (channel.read(b, at + b.position()) < 0) throw new EOFException(path + " ended at " + (at + b.position()) + " bytes");
    }
  }

  private void finish(Throwable failure) {
    if (finished) return;
    finished = true;
    FileChannel ch = channel;
    if (ch != null) context.executeBlocking(() -> {
      ch.close();
      return null;
    }, false);
    if (failure == null) done.tryComplete();
    else done.tryFail(failure);
  }
}
