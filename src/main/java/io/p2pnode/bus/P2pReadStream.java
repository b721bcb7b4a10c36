package io.p2pnode.bus;

import io.p2pnode.dataplane.StreamSink;
import io.p2pnode.wire.BundleCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * A byte stream a peer opened to this node ({@link P2pClient#streamHandler}): its bytes in order,
 * then its end. Flowing until {@link #pause()}; {@link #fetch} asks for that many more buffers. A
 * paused reader stops its stream only: once it holds {@code session.streamWindowBytes} the sender
 * gets no more credit for this stream, while the peer's other streams go on. Before a
 * {@link #handler} is set the bytes, the end and a failure wait (as if paused), so
 * {@code stream.pipeTo(file)} may start later, even for a stream that carried nothing. Handlers
 * run on the context that registered the stream handler. The exception handler hears 503 when the
 * session closes before the end, and a {@link StreamResetException} when the writer resets the
 * stream (after the bytes that came before the reset). {@link #reset} gives the
 * stream up from this side: nothing more is delivered and the writer's stream fails.
 */
public final class P2pReadStream implements ReadStream<Buffer>, StreamSink.Inbound {
  /**
   * Consumed bytes are reported to the session (for credit) in steps of an eighth of the stream
   * window (512 KiB with the default 4 MiB), and at the stream's end. A report is a task on the
   * session's thread; the session gives credit once half a window was consumed, so finer steps only
   * cost hand-offs (there was one per 64 KiB chunk), and steps below half a window never hold the
   * sender back for good.
   */
  static int reportBytes(long streamWindowBytes) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(16 * 1024, streamWindowBytes / 8));
  }
  private static final Object END = new Object();

  private final ContextInternal context;
  private final String peerId;
  private final String address;
  private final int reportBytes;
  private final LongConsumer consumed;
  private final LongConsumer reset;
  /** Filled on the session's thread, taken on the stream's context. */
  private final ConcurrentLinkedQueue<Object> incoming = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** On the stream's context only from here on. */
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private long demand = Long.MAX_VALUE;
  private long unreported;
  private boolean delivering;
  private boolean finished;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  /**
   * @param reportBytes consumed bytes go to {@code consumed} in steps of about this size (see {@link #reportBytes(long)})
   * @param consumed    reports bytes the reader consumed (any thread; the session gives credit for them)
   * @param reset       tells the session the reader gave the stream up, with a code (any thread)
   */
  P2pReadStream(ContextInternal context, String peerId, String address, int reportBytes, LongConsumer consumed, LongConsumer reset) {
    this.context = context;
    this.peerId = peerId;
    this.address = address;
    this.reportBytes = reportBytes;
    this.consumed = consumed;
    this.reset = reset;
  }

  /**
   * Gives the stream up with an application {@code code} (0 to 2^32 - 1), as HTTP/2's reset: what
   * arrived and was not handed over yet is dropped, no handler runs any more, and the writer's
   * stream fails with a {@link StreamResetException} carrying {@code code}. Call it on the
   * stream's context (in its handlers; elsewhere it throws IllegalStateException). False when the
   * stream already ended, failed or was reset.
   */
  public boolean reset(long code) {
    BundleCodec.requireResetCode(code);
    if (!context.isRunningOnContext()) {
      throw new IllegalStateException("reset a stream from " + peerId + "/" + address + " on its context (in its handlers)");
    }
    if (finished) return false;
    finished = true;
    pending.clear();
    incoming.clear();
    reset.accept(code);
    return true;
  }

  /**
   * Writes this stream into the file {@code filename} (created, or truncated), as
   * {@code HttpServerFileUpload.streamToFileSystem}: the receiving side of
   * {@link P2pWriteStream#sendFile}. Chunks are gathered while the previous batch is written and
   * each batch is written on a worker thread (in 256 KiB writes from one reused direct buffer), so
   * it costs one worker hand-off per several MiB where {@code pipeTo(asyncFile)} costs one per
   * 64 KiB chunk. Memory stays flat: with 8 MiB gathered behind a write the stream pauses, which
   * stops its credit at the sender.
   * Completes after the stream's end once the file holds every byte and is closed; fails with the
   * stream's failure, or with the file's error (then the stream is reset with code 500, so the
   * writer hears it). A partly written file stays. It sets the stream's handlers: do not set your own.
   */
  public Future<Void> streamToFileSystem(String filename) {
    return streamToFileSystem(filename, false);
  }

  /**
   * As {@link #streamToFileSystem(String)}; with {@code directIo} a regular file is written with
   * direct I/O ({@code O_DIRECT}) where its file system takes it, in writes of 4 MiB and more from
   * one reused, aligned buffer: the bytes skip the page cache, which costs the receiving process a
   * fraction of the CPU time and does not push other files out of memory, but the transfer then
   * runs at the device's pace (the page cache would take a file smaller than the kernel's dirty
   * limit at memory speed and write it later). The file's content shows up in 4 MiB steps, and
   * in full once the future completes. A FIFO, a device, or a file system without direct I/O gets
   * plain writes.
   */
  public Future<Void> streamToFileSystem(String filename, boolean directIo) {
    return FileReceiver.receive(context, this, filename, directIo);
  }

  /** The peer that opened the stream. */
  public String peerId() {
    return peerId;
  }

  /** The address on this node it was opened to. */
  public String address() {
    return address;
  }

  // ---------------------------------------------------------------- from the session's thread

  @Override
  public void data(Buffer bytes) {
    offer(bytes);
  }

  @Override
  public void end() {
    offer(END);
  }

  @Override
  public void failed(VertxException cause) {
    offer(cause);
  }

  private void offer(Object item) {
    incoming.add(item);
    if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> take());
  }

  // ---------------------------------------------------------------- on the stream's context

  private void take() {
    scheduled.set(false);
    for (Object o; (o = incoming.poll()) != null; ) {
      if (!finished) pending.add(o); // after a reset, what was still on its way is dropped
    }
    deliver();
  }

  private void deliver() {
    if (delivering) return;
    delivering = true;
    try {
      while (!pending.isEmpty() && !finished && handler != null) { // the end and a failure wait for a reader too
        Object head = pending.peek();
        if (head == END) {
          pending.poll();
          finished = true;
          report(true);
          if (endHandler != null) endHandler.handle(null);
        } else if (head instanceof VertxException e) {
          pending.poll();
          finished = true;
          if (exceptionHandler != null) exceptionHandler.handle(e);
        } else {
          if (demand == 0) break;
          pending.poll();
          if (demand != Long.MAX_VALUE) demand--;
          Buffer b = (Buffer) head;
          unreported += b.length();
          handler.handle(b);
          report(false);
        }
      }
    } finally {
      delivering = false;
    }
  }

  private void report(boolean all) {
    if (unreported >= reportBytes || (all && unreported > 0)) {
      long n = unreported;
      unreported = 0;
      consumed.accept(n);
    }
  }

  @Override
  public P2pReadStream handler(Handler<Buffer> handler) {
    this.handler = handler;
    if (handler != null) context.runOnContext(v -> deliver());
    return this;
  }

  @Override
  public P2pReadStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public P2pReadStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public P2pReadStream fetch(long amount) {
    if (amount < 0) throw new IllegalArgumentException("fetch " + amount);
    demand = demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    context.runOnContext(v -> deliver());
    return this;
  }

  @Override
  public P2pReadStream endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    return this;
  }

  @Override
  public P2pReadStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }
}
