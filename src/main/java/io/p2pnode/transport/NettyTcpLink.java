package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.unix.Errors;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link TcpLink} of the Netty epoll transport: one connection carrying length-prefixed frames. Thread-safe; I/O on its channel's event loop.
 *
 * <p>Closing always ends in an RST (SO_LINGER 0) after a bounded drain, so neither side keeps a
 * TIME_WAIT on the shared listen/connect port and the same 4-tuple can be connected again at once.
 * The drain sees the kernel's count of sent-but-unacknowledged segments; bytes still queued unsent
 * in the kernel send buffer (peer window closed) are not visible to it and are bounded by
 * {@code drainMs} like everything else.
 */
final class NettyTcpLink implements TcpLink {
  private static final Logger LOG = Logger.getLogger(NettyTcpLink.class.getName());
  private static final int TCP_CLOSE = 7;
  private static final long DRAIN_POLL_MS = 5;

  private final TcpTransport transport;
  private final EpollSocketChannel channel;
  private final boolean inbound;
  private final TcpEndpoint endpoint;
  private final InetSocketAddress local;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Set on the loop when the drain (or reset) starts: frames queued before {@link #close} still leave. */
  private boolean draining;
  private final Promise<Void> closed = Promise.promise();
  private final List<Runnable> onClose = new ArrayList<>(); // guarded by this
  private boolean done; // guarded by this
  private volatile boolean claimed;
  private volatile String closeReason;
  // loop only
  private boolean flushScheduled;
  private io.netty.util.concurrent.ScheduledFuture<?> unclaimedTimer;
  private EpollTcpInfo tcpInfo;
  private final Runnable flush = () -> {
    flushScheduled = false;
    channel().flush();
  };

  NettyTcpLink(TcpTransport transport, EpollSocketChannel channel, boolean inbound) {
    this.transport = transport;
    this.channel = channel;
    this.inbound = inbound;
    this.endpoint = new TcpEndpoint(channel.remoteAddress(), this);
    this.local = channel.localAddress();
  }

  /** Starts tracking the channel's end and, for accepted links, the unclaimed timeout. On the loop. */
  void start(long unclaimedMs) {
    channel.closeFuture().addListener(f -> closedNow());
    if (inbound && unclaimedMs > 0 && channel.isOpen()) {
      unclaimedTimer = channel.eventLoop().schedule(() -> {
        if (!claimed && !closing.get()) {
          transport.unclaimedClosed();
          close("unclaimed");
        }
      }, unclaimedMs, TimeUnit.MILLISECONDS);
    }
  }

  private EpollSocketChannel channel() {
    return channel;
  }

  /** The remote end of this connection as the sender address of its frames. */
  public TcpEndpoint endpoint() {
    return endpoint;
  }

  /** True: accepted by our listener; false: we connected. */
  public boolean inbound() {
    return inbound;
  }

  /** True until the link starts closing (a closing link takes no more frames). */
  public boolean isOpen() {
    return !closing.get() && channel.isActive();
  }

  /** The local address of the connection (the transport's listen port). */
  public InetSocketAddress localAddress() {
    return local;
  }

  /**
   * Takes ownership of {@code frame}; writes 2-byte length + frame. On the link's own loop: write
   * now, flush once at the end of the loop turn (a burst leaves in one syscall); from other threads
   * the write hops onto the loop and is flushed there. A closed link or a frame over
   * {@code maxFrameBytes}: the frame is released and counted ({@link Drop#TCP_CLOSED} /
   * {@link Drop#OVERSIZE}); never throws.
   */
  public void send(ByteBuf frame) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      sendOnLoop(frame, false);
      return;
    }
    try {
      loop.execute(() -> sendOnLoop(frame, true));
    } catch (RejectedExecutionException e) {
      frame.release();
      transport.counters().drop(Drop.TCP_CLOSED);
    }
  }

  private void sendOnLoop(ByteBuf frame, boolean flushNow) {
    if (draining || !channel.isActive()) {
      frame.release();
      transport.counters().drop(Drop.TCP_CLOSED);
      return;
    }
    if (!channel.isWritable()) { // the peer does not read: drop as a full UDP socket would, the sender's own retransmission copes
      frame.release();
      transport.counters().drop(Drop.TCP_BACKLOG);
      return;
    }
    if (frame.readableBytes() > transport.config().maxFrameBytes()) {
      frame.release();
      transport.counters().drop(Drop.OVERSIZE);
      return;
    }
    transport.frameOut(frame.readableBytes());
    if (flushNow) {
      channel.writeAndFlush(frame, channel.voidPromise());
      return;
    }
    channel.write(frame, channel.voidPromise());
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flush);
    }
  }

  /** An owner (session, coordinator registration) took this link: the unclaimed timeout no longer closes it. */
  public void claim() {
    claimed = true;
  }

  /** Whether {@link #claim} was called. */
  public boolean claimed() {
    return claimed;
  }

  /**
   * {@code action} runs once, on the link's event loop, when the link has closed (at once if it
   * already has). Several may be added; one that throws is logged and the others still run.
   */
  public void onClose(Runnable action) {
    synchronized (this) {
      if (!done) {
        onClose.add(action);
        return;
      }
    }
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) run(action);
    else loop.execute(() -> run(action));
  }

  /**
   * Graceful close, exactly once however often called: flush what was written, wait (at most
   * {@code drainMs}, polling the kernel's unacknowledged count every ~5 ms) until the peer
   * acknowledged it, then close with SO_LINGER 0 (RST) so neither side keeps a TIME_WAIT on the
   * shared port.
   */
  public void close() {
    close("closed here");
  }

  /** Why it closed (e.g. "closed here", "peer closed (half-close)", "reset by peer", "idle", "unclaimed", "frame too large"), null while open. */
  public String closeReason() {
    return closeReason;
  }

  /** Completes (on the link's loop) once the channel has closed and the onClose actions ran. */
  Future<Void> closedFuture() {
    return closed.future();
  }

  /** Graceful close with a reason; the first call wins. */
  void close(String reason) {
    if (!closing.compareAndSet(false, true)) return;
    closeReason = reason;
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) drain();
    else loop.execute(this::drain);
  }

  /** Immediate RST close without drain (the peer is gone or misbehaves); the first call wins. */
  void abort(String reason) {
    if (!closing.compareAndSet(false, true)) return;
    closeReason = reason;
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) reset();
    else loop.execute(this::reset);
  }

  /** Whether close or abort has begun. */
  boolean closing() {
    return closing.get();
  }

  private void drain() {
    draining = true;
    if (!channel.isActive()) {
      reset();
      return;
    }
    channel.flush();
    poll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(transport.config().drainMs()));
  }

  private void poll(long deadline) {
    if (!channel.isActive() || drained() || System.nanoTime() - deadline >= 0) {
      reset();
      return;
    }
    channel.eventLoop().schedule(() -> poll(deadline), DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** Nothing left in Netty's outbound buffer and nothing sent that the peer has not acknowledged. */
  private boolean drained() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out != null && !out.isEmpty()) return false;
    try {
      if (tcpInfo == null) tcpInfo = new EpollTcpInfo();
      channel.tcpInfo(tcpInfo);
      return tcpInfo.state() == TCP_CLOSE || tcpInfo.unacked() == 0;
    } catch (ChannelException e) {
      return true; // the socket is gone
    }
  }

  private void reset() {
    draining = true;
    if (channel.isOpen()) {
      try {
        channel.config().setSoLinger(0);
      } catch (ChannelException e) {
        LOG.log(Level.FINE, "SO_LINGER 0 failed", e);
      }
    }
    channel.close();
  }

  /** The channel has closed (any cause): bookkeeping and onClose actions, exactly once. On the loop. */
  private void closedNow() {
    if (closing.compareAndSet(false, true)) {
      // closed by Netty, not by us: a write or read failed (e.g. EPIPE / ECONNRESET on flush)
      transport.reset();
      closeReason = "connection lost (I/O error)";
    }
    if (unclaimedTimer != null) unclaimedTimer.cancel(false);
    List<Runnable> actions;
    synchronized (this) {
      if (done) return;
      done = true;
      actions = new ArrayList<>(onClose);
      onClose.clear();
    }
    transport.linkClosed(this);
    actions.forEach(NettyTcpLink::run);
    closed.tryComplete();
  }

  private static void run(Runnable action) {
    try {
      action.run();
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "TCP link onClose action failed", t);
    }
  }

  /** A read or write failed: reset (ECONNRESET) or another I/O error. */
  void ioError(Throwable cause) {
    if (closing.get()) return;
    transport.reset();
    String reason = cause instanceof Errors.NativeIoException n && n.expectedErr() == Errors.ERRNO_ECONNRESET_NEGATIVE
      || String.valueOf(cause.getMessage()).contains("reset") ? "reset by peer" : "I/O error: " + cause.getMessage();
    LOG.log(Level.FINE, () -> endpoint + " " + reason);
    abort(reason);
  }

  /** The peer shut down its sending side (EOF): answer what is owed, then close. */
  void inputClosed() {
    if (closing.get()) return;
    transport.halfClosed();
    close("peer closed (half-close)");
  }

  @Override
  public String toString() {
    return (inbound ? "tcp-in " : "tcp-out ") + endpoint + (closeReason == null ? "" : " (" + closeReason + ")");
  }
}
