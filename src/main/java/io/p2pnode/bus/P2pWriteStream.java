package io.p2pnode.bus;

import io.p2pnode.dataplane.OutboundStreamListener;
import io.p2pnode.session.SessionHandle;
import io.p2pnode.wire.BundleCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.streams.WriteStream;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte stream to an address on a peer ({@link P2pClient#openStream}), in the style of
 * {@code NetSocket}: {@link #write} queues bytes, {@link #writeQueueFull()} is true while more than
 * {@link #setWriteQueueMaxSize} bytes were written but not yet acknowledged by the peer, the
 * {@link #drainHandler} runs once that fell to half, and {@link #end()} completes when the peer has
 * every byte. So {@code file.pipeTo(stream)} sends a file of any size in constant memory. The
 * receiver's reader sets the pace: bytes go only within the credit it gives (see
 * {@code session.streamWindowBytes}). A write completes once the peer acknowledged it and every
 * byte before it (a later chunk acknowledged while an earlier one is re-sent completes nothing). Written
 * buffers are sent from where they are, not copied (as Netty's and {@code NetSocket}'s writes): do
 * not change a buffer after writing it.
 * Handlers run on the context that opened the stream. Failures: 503 (session closed), 404 (no
 * stream handler at the address on the peer), 429 (the peer has too many streams open).
 */
public final class P2pWriteStream implements WriteStream<Buffer> {
  /** Bytes written but not yet acknowledged before {@link #writeQueueFull()}: two stream windows, so the path stays full. */
  public static final int DEFAULT_WRITE_QUEUE_MAX_SIZE = 8 * 1024 * 1024;

  private record Waiter(long end, Promise<Void> promise) {
  }

  private final ContextInternal context;
  private final SessionHandle session;
  private final String peerId;
  private final String address;
  private int id;
  private long maxSize = DEFAULT_WRITE_QUEUE_MAX_SIZE;
  private long written;
  private long acked;
  private boolean full;
  private boolean ended;
  private VertxException failure;
  /** The peer acknowledged the end: every byte arrived. */
  private boolean completed;
  private Promise<Void> endPromise;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  /** Acknowledged bytes reported on the session's thread, not yet taken in on the stream's context. */
  private final AtomicLong ackedPending = new AtomicLong();
  private final AtomicBoolean ackScheduled = new AtomicBoolean();

  P2pWriteStream(ContextInternal context, SessionHandle session, String peerId, String address) {
    this.context = context;
    this.session = session;
    this.peerId = peerId;
    this.address = address;
  }

  void opened(int streamId) {
    this.id = streamId;
  }

  /** What the session tells this stream (on the session's thread): handed to the stream's context. */
  OutboundStreamListener listener() {
    return new OutboundStreamListener() {
      public void acked(long bytes) {
        ackedPending.addAndGet(bytes);
        if (ackScheduled.compareAndSet(false, true)) context.runOnContext(v -> takeAcks());
      }

      public void ended() {
        context.runOnContext(v -> {
          takeAcks();
          onEnded();
        });
      }

      public void failed(VertxException cause) {
        context.runOnContext(v -> fail(cause));
      }
    };
  }

  /** The peer this stream goes to. */
  public String peerId() {
    return peerId;
  }

  /** The address on the peer. */
  public String address() {
    return address;
  }

  @Override
  public synchronized Future<Void> write(Buffer data) {
    if (failure != null) return context.failedFuture(failure);
    if (ended) return context.failedFuture(new IllegalStateException("stream to " + peerId + "/" + address + " ended"));
    written += data.length();
    Promise<Void> p = context.promise();
    waiters.add(new Waiter(written, p));
    if (written - acked >= maxSize) full = true;
    session.run(s -> {
      if (!s.writeStream(id, data, false)) context.runOnContext(v -> fail(Failure.UNREACHABLE.exception("stream to " + peerId + " is closed")));
    });
    return p.future();
  }

  @Override
  public synchronized Future<Void> end() {
    if (failure != null) return context.failedFuture(failure);
    if (ended) return endPromise.future();
    ended = true;
    endPromise = context.promise();
    session.run(s -> {
      if (!s.writeStream(id, null, true)) context.runOnContext(v -> fail(Failure.UNREACHABLE.exception("stream to " + peerId + " is closed")));
    });
    return endPromise.future();
  }

  /**
   * Gives the stream up with an application {@code code} (0 to 2^32 - 1), as HTTP/2's reset:
   * bytes not sent yet are dropped, pending writes and {@link #end()} fail with a
   * {@link StreamResetException}, and the peer's reader fails with one carrying {@code code} (after
   * the bytes that reached it first; what was on its way is dropped there). False when the stream
   * already failed or the peer has every byte.
   */
  public boolean reset(long code) {
    BundleCodec.requireResetCode(code);
    synchronized (this) {
      if (failure != null || completed) return false;
    }
    session.run(s -> s.resetStream(id, code)); // the session fails this stream (listener) once it dropped it
    return true;
  }

  /**
   * Sends the whole file {@code filename} down this stream, as {@code NetSocket.sendFile}: read on
   * a worker thread in pieces of 256 KiB into arrays used again once the peer acknowledged them,
   * so a file of any size costs a write queue's worth of memory and no allocation per byte (a
   * pipe from {@code AsyncFile} allocates each piece twice). Completes once the peer acknowledged
   * the file's last byte; the stream stays open ({@link #end()} it, or write more). Do not write
   * while it runs. Fails with the file's error, or the stream's.
   */
  public Future<Void> sendFile(String filename) {
    return sendFile(filename, 0, -1);
  }

  /** As {@link #sendFile(String)}, {@code length} bytes from {@code offset} ({@code length} &lt; 0: to the end). */
  public Future<Void> sendFile(String filename, long offset, long length) {
    int queue;
    synchronized (this) {
      if (failure != null) return context.failedFuture(failure);
      if (ended) return context.failedFuture(new IllegalStateException("stream to " + peerId + "/" + address + " ended"));
      queue = (int) Math.min(Integer.MAX_VALUE, maxSize);
    }
    return FileSender.send(context, this, filename, offset, length, queue);
  }

  @Override
  public synchronized P2pWriteStream setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) throw new IllegalArgumentException("writeQueueMaxSize " + maxSize);
    this.maxSize = maxSize;
    return this;
  }

  @Override
  public synchronized boolean writeQueueFull() {
    return written - acked >= maxSize;
  }

  @Override
  public synchronized P2pWriteStream drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  @Override
  public synchronized P2pWriteStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  private void takeAcks() {
    ackScheduled.set(false);
    long n = ackedPending.getAndSet(0);
    Handler<Void> drain = null;
    java.util.List<Promise<Void>> done = new java.util.ArrayList<>();
    synchronized (this) {
      acked += n;
      while (!waiters.isEmpty() && waiters.peek().end <= acked) done.add(waiters.poll().promise);
      if (full && written - acked <= maxSize / 2) {
        full = false;
        drain = drainHandler;
      }
    }
    for (Promise<Void> p : done) p.tryComplete();
    if (drain != null) drain.handle(null);
  }

  private void onEnded() {
    java.util.List<Promise<Void>> done = new java.util.ArrayList<>();
    Promise<Void> end;
    synchronized (this) {
      completed = true;
      while (!waiters.isEmpty()) done.add(waiters.poll().promise);
      end = endPromise;
    }
    for (Promise<Void> p : done) p.tryComplete();
    if (end != null) end.tryComplete();
  }

  private void fail(VertxException cause) {
    java.util.List<Promise<Void>> failed = new java.util.ArrayList<>();
    Promise<Void> end;
    Handler<Throwable> handler;
    synchronized (this) {
      if (failure != null) return;
      failure = cause;
      while (!waiters.isEmpty()) failed.add(waiters.poll().promise);
      end = endPromise;
      handler = exceptionHandler;
    }
    for (Promise<Void> p : failed) p.tryFail(cause);
    if (end != null) end.tryFail(cause);
    if (handler != null) handler.handle(cause);
  }
}
