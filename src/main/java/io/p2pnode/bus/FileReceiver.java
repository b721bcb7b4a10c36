package io.p2pnode.bus;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link P2pReadStream} into a file ({@link P2pReadStream#streamToFileSystem}), the
 * receiving mirror of {@link FileSender}: chunks are gathered on the stream's context while the
 * previous batch is written, and each batch goes to the file's {@link FileSink} (direct I/O when
 * asked and the file system takes it) in one worker task. So a worker task costs one hand-off per
 * batch (several MiB) instead of one per 64 KiB chunk, as a pipe into {@code AsyncFile} does. At
 * most {@link #MAX_GATHERED_BYTES} wait besides the batch being written; beyond that the stream
 * pauses, which stops its credit at the sender: memory stays flat whatever the file's size. Runs on
 * the stream's context.
 */
final class FileReceiver {
  /**
   * Bytes gathered while a batch is written before the stream pauses: 8 MiB, two stream windows,
   * so the sender keeps a full window in flight while the disk catches up.
   */
  static final int MAX_GATHERED_BYTES = 8 * 1024 * 1024;
  /**
   * Bytes gathered before a write to a file opened for direct I/O starts (the stream's end writes
   * what is left): half of {@link #MAX_GATHERED_BYTES}. Each direct write waits for the device, so
   * writes of whatever had come (a few hundred KiB each) made the disk the limit: in the data-plane
   * benchmark 1 GiB took 1.0–2.7 s of writes that way, 0.5–1.6 s in 4 MiB writes.
   */
  static final int MIN_DIRECT_BATCH_BYTES = MAX_GATHERED_BYTES / 2;
  /** The reset code the writer hears when the file cannot be opened or written (as HTTP's 500). */
  static final long FILE_FAILED = 500;

  private final ContextInternal context;
  private final P2pReadStream stream;
  private final Path path;
  private final boolean direct;
  private final Promise<Void> done;
  private List<ByteBuffer> gathered = new ArrayList<>();
  private long gatheredBytes;
  private FileSink sink;
  private boolean writing;
  private boolean paused;
  private boolean ended;
  private boolean finished;

  private FileReceiver(ContextInternal context, P2pReadStream stream, Path path, boolean direct) {
    this.context = context;
    this.stream = stream;
    this.path = path;
    this.direct = direct;
    this.done = context.promise();
  }

  /**
   * Writes every byte of {@code stream} into {@code filename} (created, or truncated; with direct I/O
   * if {@code direct} and the file takes it), then closes it;
   * completes after the stream's end once the file holds every byte.
   */
  static Future<Void> receive(ContextInternal context, P2pReadStream stream, String filename, boolean direct) {
    Path file;
    try {
      file = Path.of(filename);
    } catch (RuntimeException e) { // null, or not a path here
      return context.failedFuture(new IllegalArgumentException("filename " + filename + " is not a path: " + e.getMessage()));
    }
    FileReceiver r = new FileReceiver(context, stream, file, direct);
    context.runOnContext(v -> r.open());
    return r.done.future();
  }

  private void open() {
    stream.pause();
    stream.handler(this::chunk);
    stream.endHandler(v -> {
      ended = true;
      flush();
    });
    stream.exceptionHandler(this::fail);
    context.executeBlocking(() -> FileSink.open(path, direct), false).onComplete(ar -> {
      if (ar.failed()) {
        stream.reset(FILE_FAILED); // the writer hears that nothing more will be taken
        fail(ar.cause());
        return;
      }
      sink = ar.result();
      if (finished) {
        close();
      } else {
        stream.resume();
        flush(); // the end may have come while the file was opening (an empty stream's does)
      }
    });
  }

  private void chunk(Buffer b) {
    ByteBuf buf = ((BufferInternal) b).getByteBuf();
    if (buf.nioBufferCount() == 1) {
      gathered.add(buf.nioBuffer());
    } else {
      for (ByteBuffer bb : buf.nioBuffers()) gathered.add(bb);
    }
    gatheredBytes += b.length();
    if (writing && gatheredBytes >= MAX_GATHERED_BYTES && !paused) {
      paused = true;
      stream.pause();
    }
    flush();
  }

  /** Starts writing what was gathered unless a write is under way; closes the file once the stream ended and all is written. */
  private void flush() {
    if (finished || writing || sink == null) return;
    if (gathered.isEmpty()) {
      if (ended) {
        finished = true;
        close().onComplete(done);
      }
      return;
    }
    if (!ended && sink.direct() && gatheredBytes < MIN_DIRECT_BATCH_BYTES) return; // a direct write waits for the device: few, large ones
    List<ByteBuffer> batch = gathered;
    gathered = new ArrayList<>();
    gatheredBytes = 0;
    writing = true;
    if (paused) {
      paused = false;
      stream.resume();
    }
    context.<Void>executeBlocking(() -> {
      sink.write(batch);
      return null;
    }, false).onComplete(ar -> {
      writing = false;
      if (finished) {
        close(); // the stream failed while this batch was written
      } else if (ar.failed()) {
        stream.reset(FILE_FAILED);
        fail(ar.cause());
      } else {
        flush();
      }
    });
  }

  private void fail(Throwable cause) {
    if (finished) return;
    finished = true;
    if (sink != null && !writing) close();
    done.tryFail(cause);
  }

  private Future<Void> close() {
    FileSink s = sink;
    if (s == null) return context.succeededFuture();
    return context.executeBlocking(() -> {
      s.close();
      return null;
    }, false);
  }
}
