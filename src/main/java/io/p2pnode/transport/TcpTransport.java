package io.p2pnode.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import io.p2pnode.config.Endpoints;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TCP for hole punching: one local port both listens and connects out (SO_REUSEADDR +
 * SO_REUSEPORT, native epoll only), so a connect and the peer's connect towards us can meet as a
 * simultaneous open or as an accept. Frames travel with a 2-byte big-endian length prefix; inbound
 * frames go to the same {@link PacketHandler} as UDP datagrams, with a {@link TcpEndpoint} as
 * sender.
 *
 * <p>Frame handling: a length over {@code maxFrameBytes} counts {@link Drop#OVERSIZE} and closes
 * the link ("frame too large"). A zero-length frame is a keepalive: not delivered, not counted,
 * but it resets the idle timeout.
 */
public final class TcpTransport {
  private static final Logger LOG = Logger.getLogger(TcpTransport.class.getName());
  /** SO_REUSEPORT (SOL_SOCKET=1, optname 15 on Linux): Netty's client socket config has no option for it. */
  private static final IntegerUnixChannelOption REUSE_PORT = new IntegerUnixChannelOption("SO_REUSEPORT", 1, 15);
  /**
   * Bytes waiting in Netty above the kernel's send buffer before a link stops taking frames
   * (dropped and counted, as a full UDP socket drops): a peer that stops reading must not make
   * the node buffer without bound. 4 MiB covers a 64 KiB-message burst at full window.
   */
  static final io.netty.channel.WriteBufferWaterMark WATER_MARK = new io.netty.channel.WriteBufferWaterMark(2 << 20, 4 << 20);

  /**
   * Settings.
   *
   * @param maxFrameBytes     largest frame in either direction, 1-65535 (the length prefix is 2 bytes)
   * @param unclaimedMs       an accepted link not {@link NettyTcpLink#claim claimed} within this closes; 0: never
   * @param idleMs            a link with no inbound frame for this long closes; 0: never
   * @param drainMs           longest a close waits for the peer to acknowledge what was sent
   * @param socketBufferBytes SO_RCVBUF / SO_SNDBUF; 0: kernel default
   */
  public record Config(int maxFrameBytes, long unclaimedMs, long idleMs, long drainMs, int socketBufferBytes) {
    /** Checks the ranges. */
    public Config {
      if (maxFrameBytes < 1 || maxFrameBytes > 65535) throw new IllegalArgumentException("maxFrameBytes must be 1-65535: " + maxFrameBytes);
      if (unclaimedMs < 0 || idleMs < 0 || drainMs < 0 || socketBufferBytes < 0) {
        throw new IllegalArgumentException("TCP timeouts and buffer sizes must not be negative");
      }
    }
  }

  private final Config config;
  private final PacketHandler handler;
  private final Supplier<PacketSocket> handlerSocket;
  private final Counters counters;
  private final Set<NettyTcpLink> links = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Promise<Void> closeDone = Promise.promise();
  private final LongAdder open = new LongAdder(), accepted = new LongAdder(), connected = new LongAdder(),
    connectFailed = new LongAdder(), closedLinks = new LongAdder(), halfClosed = new LongAdder(), resets = new LongAdder(),
    unclaimedClosed = new LongAdder(), idleClosed = new LongAdder(), framesIn = new LongAdder(), framesOut = new LongAdder();
  private volatile Channel server;
  private volatile InetSocketAddress local;

  private TcpTransport(Config config, PacketHandler handler, Supplier<PacketSocket> handlerSocket,
                       Counters counters) {
    this.config = config;
    this.handler = handler;
    this.handlerSocket = handlerSocket;
    this.counters = counters;
  }

  /**
   * Listens on {@code bind} (SO_REUSEADDR, SO_REUSEPORT, epoll only: fails with an
   * IllegalStateException if {@code vertx.isNativeTransportEnabled()} is false). Accepted links
   * allow half-closure and set TCP_NODELAY. Every inbound frame (length prefix removed) goes to
   * {@code handler.onPacket(handlerSocket.get(), frame, link.endpoint())} on the link's loop; the
   * frame is released after the call; a throwing handler is counted ({@link Drop#HANDLER_ERROR})
   * and the link carries on. Accepting runs on Vert.x's acceptor group, links on its event loops.
   */
  public static Future<TcpTransport> listen(Vertx vertx, InetSocketAddress bind, Config config, PacketHandler handler,
                                            Supplier<PacketSocket> handlerSocket, Counters counters) {
    VertxInternal vi = (VertxInternal) vertx;
    if (!vertx.isNativeTransportEnabled()) {
      Throwable cause = vertx.unavailableNativeTransportCause();
      return Future.failedFuture(new IllegalStateException("the TCP transport needs SO_REUSEPORT on the native epoll transport, "
        + "which is unavailable (" + (cause == null ? "not enabled: VertxOptions.setPreferNativeTransport(true)" : cause.getMessage())
        + "); run on Linux with netty-transport-native-epoll"));
    }
    TcpTransport t = new TcpTransport(config, handler, handlerSocket, counters);
    Promise<TcpTransport> promise = vi.getOrCreateContext().promise();
    ServerBootstrap b = new ServerBootstrap()
      .group(vi.acceptorEventLoopGroup(), vi.nettyEventLoopGroup())
      .channel(EpollServerSocketChannel.class)
      .option(ChannelOption.SO_REUSEADDR, true)
      .option(EpollChannelOption.SO_REUSEPORT, true)
      .option(ChannelOption.SO_BACKLOG, 1024)
      .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
      .childOption(ChannelOption.TCP_NODELAY, true)
      .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
      .childHandler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          t.initPipeline(ch, true);
        }
      });
    if (config.socketBufferBytes() > 0) {
      b.option(ChannelOption.SO_RCVBUF, config.socketBufferBytes())
        .childOption(ChannelOption.SO_RCVBUF, config.socketBufferBytes())
        .childOption(ChannelOption.SO_SNDBUF, config.socketBufferBytes());
    }
    ChannelFuture bound = b.bind(bind);
    bound.addListener(f -> {
      if (f.isSuccess()) {
        t.server = bound.channel();
        t.local = (InetSocketAddress) bound.channel().localAddress();
        promise.complete(t);
      } else {
        promise.fail(new IllegalStateException("cannot listen on TCP " + Endpoints.format(bind) + ": " + f.cause().getMessage(), f.cause()));
      }
    });
    return promise.future();
  }

  /** Frame decoder, idle timeout, link handler; length prefix on the way out. */
  private TcpFrameHandler initPipeline(Channel ch, boolean inbound) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("frames", new LengthFieldBasedFrameDecoder(config.maxFrameBytes() + 2, 0, 2, 0, 2, true));
    p.addLast("prefix", new LengthFieldPrepender(2));
    // after the decoder, so only whole frames count as activity
    if (config.idleMs() > 0) p.addLast("idle", new IdleStateHandler(config.idleMs(), 0, 0, TimeUnit.MILLISECONDS));
    TcpFrameHandler h = new TcpFrameHandler(this, inbound);
    p.addLast("link", h);
    return h;
  }

  /**
   * Connects from the transport's own bound address (the listen port; SO_REUSEADDR + SO_REUSEPORT
   * on this socket too) to {@code remote}, on {@code ctx}'s event loop; completes on {@code ctx} with
   * the link's endpoint, or fails with a {@link TcpConnectException}. Outbound links get the same
   * pipeline as accepted ones but no unclaimed timeout.
   */
  public Future<TcpEndpoint> connect(ContextInternal ctx, InetSocketAddress remote, long timeoutMs) {
    Promise<TcpEndpoint> promise = ctx.promise();
    if (closed.get()) {
      connectFailed.increment();
      promise.fail(new TcpConnectException(TcpConnectException.Kind.OTHER, remote, "TCP transport closed", null));
      return promise.future();
    }
    TcpFrameHandler[] h = new TcpFrameHandler[1];
    Bootstrap b = new Bootstrap()
      .group(ctx.nettyEventLoop())
      .channel(EpollSocketChannel.class)
      .option(ChannelOption.SO_REUSEADDR, true)
      .option(REUSE_PORT, 1)
      .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
      .option(ChannelOption.TCP_NODELAY, true)
      .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
      .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)))
      .handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          h[0] = initPipeline(ch, false);
        }
      });
    if (config.socketBufferBytes() > 0) {
      b.option(ChannelOption.SO_RCVBUF, config.socketBufferBytes()).option(ChannelOption.SO_SNDBUF, config.socketBufferBytes());
    }
    ChannelFuture f = b.connect(remote, local);
    f.addListener(x -> {
      if (x.isSuccess() && f.channel().isActive()) {
        promise.complete(h[0].link(f.channel()).endpoint());
      } else {
        connectFailed.increment();
        Throwable cause = x.cause() != null ? x.cause() : new java.nio.channels.ClosedChannelException();
        promise.fail(TcpConnectException.of(remote, cause));
      }
    });
    return promise.future();
  }

  /** The bound listen address (also the local address of every link). */
  public InetSocketAddress localAddress() {
    return local;
  }

  /** Closes the listener and then every open link (each exactly once, each drained); completes when all have closed. */
  public Future<Void> close() {
    if (!closed.compareAndSet(false, true)) return closeDone.future();
    Promise<Void> serverClosed = Promise.promise();
    server.close().addListener(f -> serverClosed.complete());
    serverClosed.future().compose(v -> {
      List<Future<Void>> all = new ArrayList<>();
      for (NettyTcpLink l : links) {
        l.close("transport closed");
        all.add(l.closedFuture());
      }
      return Future.all(all);
    }).onComplete(ar -> closeDone.complete());
    return closeDone.future();
  }

  /** Live counts: {@code {"listen": "host:port", "open","accepted","connected","connectFailed","closed","halfClosed","resets","unclaimedClosed","idleClosed","framesIn","framesOut"}}. */
  public JsonObject stats() {
    InetSocketAddress l = local;
    return new JsonObject().put("listen", l == null ? null : Endpoints.format(l)).put("open", open.sum())
      .put("accepted", accepted.sum()).put("connected", connected.sum()).put("connectFailed", connectFailed.sum())
      .put("closed", closedLinks.sum()).put("halfClosed", halfClosed.sum()).put("resets", resets.sum())
      .put("unclaimedClosed", unclaimedClosed.sum()).put("idleClosed", idleClosed.sum())
      .put("framesIn", framesIn.sum()).put("framesOut", framesOut.sum());
  }

  /**
   * The open connection with {@code remote}, whichever side made it, or {@code null}: a second
   * connection between the same two ports cannot exist (same 4-tuple), so a session towards a
   * node this one is already connected to (its coordinator) uses the connection there is.
   */
  public TcpEndpoint existing(InetSocketAddress remote) {
    for (NettyTcpLink l : links) {
      TcpEndpoint e = l.endpoint();
      if (l.isOpen() && e.getPort() == remote.getPort() && e.getAddress().equals(remote.getAddress())) return e;
    }
    return null;
  }

  /** The links open now (a snapshot). */
  List<NettyTcpLink> links() {
    return new ArrayList<>(links);
  }

  // ---- called by NettyTcpLink / TcpFrameHandler, on the link's loop ----

  NettyTcpLink newLink(EpollSocketChannel ch, boolean inbound) {
    NettyTcpLink l = new NettyTcpLink(this, ch, inbound);
    links.add(l);
    open.increment();
    (inbound ? accepted : connected).increment();
    l.start(inbound ? config.unclaimedMs() : 0);
    if (closed.get()) l.close("transport closed");
    return l;
  }

  void linkClosed(NettyTcpLink l) {
    if (links.remove(l)) {
      open.decrement();
      closedLinks.increment();
    }
  }

  /** One inbound frame: to the handler unless empty (keepalive) or the link is closing; released after. */
  void deliver(NettyTcpLink link, ByteBuf frame) {
    try {
      if (!frame.isReadable()) return;
      if (link.closing()) {
        counters.drop(Drop.TCP_CLOSED);
        return;
      }
      framesIn.increment();
      handler.onPacket(handlerSocket.get(), frame, link.endpoint());
    } catch (Throwable t) {
      counters.drop(Drop.HANDLER_ERROR);
      LOG.log(Level.WARNING, "packet handler failed; TCP frame dropped", t);
    } finally {
      frame.release();
    }
  }

  Config config() {
    return config;
  }

  Counters counters() {
    return counters;
  }

  void frameOut(int bytes) {
    framesOut.increment();
    counters.frameOut(bytes);
  }

  void halfClosed() {
    halfClosed.increment();
  }

  void reset() {
    resets.increment();
  }

  void unclaimedClosed() {
    unclaimedClosed.increment();
    counters.drop(Drop.TCP_UNCLAIMED);
  }

  void idleClosed() {
    idleClosed.increment();
  }
}
