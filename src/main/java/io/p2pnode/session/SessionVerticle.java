package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.bus.Addresses;
import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.transport.NettyUdpSocket;
import io.p2pnode.transport.PathSocketConfig;
import io.p2pnode.wire.FrameType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The verticle of one remote peer: gives its {@link PeerSession} a context of its own on the
 * event loop its host chose (the loop of the application thread that opened it, when there is
 * one: then that application's messages reach the session without a thread crossing), the
 * listener socket on that loop, and the heartbeat tick. Other threads reach the session only
 * through {@link #run} and {@link #onFrame}.
 *
 * <p>Vert.x deploys a verticle on the next event loop of its own choosing, so the session runs
 * on a context built on the chosen loop, whose close hooks the deployment's context closes on
 * undeploy; the deployment's context is only the lifecycle shell.
 */
public final class SessionVerticle extends VerticleBase implements SessionHandle {
  private final ListenerGroup listeners;
  private final PathSocketConfig connected;
  private final Function<io.p2pnode.transport.PacketSocket, PeerSession> factory;
  private final io.p2pnode.transport.TcpTransport tcp;
  private final java.util.function.UnaryOperator<InetSocketAddress> coordinatorNow;
  private final io.netty.channel.EventLoop loop;
  private volatile PeerSession session;
  /** The session's context, on {@link #loop}; set once by {@link #start}, before any frame is routed here. */
  private volatile ContextInternal ctx;
  private volatile boolean up;
  /** Runs the session's work on {@link #ctx}; set with it. */
  private volatile SessionExecutor executor;
  private MessageConsumer<Object> ticks;
  private HardNatConfig hardNat;

  /** How sessions open birthday-probing sockets (ephemeral ports on the session's loop), with the options and shared budget. */
  record HardNatConfig(PathSocketConfig sockets, io.p2pnode.config.PunchOptions options, io.p2pnode.punch.ProbeBudget budget,
                       java.util.function.Supplier<io.p2pnode.wire.NatProfile> localNat) {
  }

  /** Sessions of this verticle try hard-NAT strategies ({@code null}: they do not). */
  void hardNat(HardNatConfig config) {
    this.hardNat = config;
  }

  /**
   * @param connected how to open connected per-peer sockets, or {@code null} for unconnected mode
   */
  public SessionVerticle(ListenerGroup listeners, PathSocketConfig connected,
                         Function<io.p2pnode.transport.PacketSocket, PeerSession> factory) {
    this(listeners, connected, null, c -> c, null, factory);
  }

  /**
   * @param tcp            the node's TCP transport, or {@code null} when it has none
   * @param coordinatorNow how a coordinator is best reached now ({@link TcpPaths#coordinatorNow}); any thread
   * @param loop           the event loop the session runs on ({@code null}: the deployment's)
   */
  public SessionVerticle(ListenerGroup listeners, PathSocketConfig connected, io.p2pnode.transport.TcpTransport tcp,
                         java.util.function.UnaryOperator<InetSocketAddress> coordinatorNow, io.netty.channel.EventLoop loop,
                         Function<io.p2pnode.transport.PacketSocket, PeerSession> factory) {
    this.loop = loop;
    this.listeners = listeners;
    this.connected = connected;
    this.tcp = tcp;
    this.coordinatorNow = coordinatorNow;
    this.factory = factory;
  }

  @Override
  public Future<?> start() {
    ContextInternal shell = (ContextInternal) context;
    if (loop == null || loop == shell.nettyEventLoop()) {
      ctx = shell;
    } else {
      io.vertx.core.internal.CloseFuture closing = new io.vertx.core.internal.CloseFuture();
      shell.addCloseHook(closing); // undeploying closes what the session's context holds (its timers)
      ctx = ((io.vertx.core.internal.VertxInternal) vertx).contextBuilder().withEventLoop(loop).withCloseFuture(closing)
        .withClassLoader(shell.classLoader()).build();
    }
    executor = new SessionExecutor(ctx, this::contain);
    io.vertx.core.Promise<Object> started = ctx.promise();
    ctx.runOnContext(v -> {
      try {
        startOnLoop(ctx).onComplete(started);
      } catch (Throwable t) {
        started.tryFail(t);
      }
    });
    return started.future();
  }

  private Future<?> startOnLoop(ContextInternal ctx) {
    session = factory.apply(listeners.socketFor(ctx.nettyEventLoop()));
    if (connected != null) {
      session.pathSockets((remote, onUnreachable) -> NettyUdpSocket.connect(ctx, connected.bind(), remote,
        connected.socketBufferBytes(), connected.maxDatagramBytes(), connected.router(), connected.counters(),
        icmp -> run(s -> onUnreachable.run())).map(s -> (io.p2pnode.transport.PacketSocket) s));
    }
    if (hardNat != null) {
      PathSocketConfig c = hardNat.sockets();
      session.hardNat(new HardNatDeps(hardNat.options(), new io.p2pnode.punch.ProbeSockets() {
        public Future<io.p2pnode.transport.PacketSocket> open(int ttl, io.p2pnode.transport.PacketHandler handler) {
          // arrivals on the session's context, as SessionVerticle#onFrame does: its timers and faults stay this session's
          io.p2pnode.transport.PacketHandler onContext = (sock, data, from) -> {
            ContextInternal previous = executor.enter();
            try {
              handler.onPacket(sock, data, from);
            } catch (Throwable t) {
              contain(t);
            } finally {
              executor.exit(previous);
            }
          };
          return NettyUdpSocket.bind(ctx, new InetSocketAddress(c.bind().getAddress(), 0), false, c.socketBufferBytes(),
            c.maxDatagramBytes(), onContext, c.counters()).map(s -> {
              if (ttl > 0) s.ttl(ttl);
              return (io.p2pnode.transport.PacketSocket) s;
            });
        }

        public io.p2pnode.transport.PacketHandler router() {
          return c.router();
        }
      }, hardNat.budget(), hardNat.localNat()));
    }
    if (tcp != null) {
      session.tcpPaths(new TcpPaths() {
        public Future<io.p2pnode.transport.TcpEndpoint> connect(InetSocketAddress remote, long timeoutMs) {
          return tcp.connect(ctx, remote, timeoutMs);
        }

        public InetSocketAddress coordinatorNow(InetSocketAddress coordinator) {
          return SessionVerticle.this.coordinatorNow.apply(coordinator);
        }

        public io.p2pnode.transport.TcpEndpoint existing(InetSocketAddress remote) {
          return tcp.existing(remote);
        }

        public void onClose(io.p2pnode.transport.TcpEndpoint link, Runnable action) {
          link.link().onClose(() -> run(s -> action.run()));
        }
      });
    }
    // anything that escapes a timer or task of this session (an Error too) closes this session only
    ctx.exceptionHandler(this::contain);
    ticks = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> guarded(PeerSession::tick));
    return ticks.completion();
  }

  @Override
  public Future<?> stop() {
    io.vertx.core.Promise<Object> stopped = ctx.promise();
    ctx.runOnContext(v -> {
      try {
        if (session != null) session.close("node stopping", true); // null: its start failed
      } catch (Throwable t) {
        contain(t);
      }
      if (ticks == null) stopped.complete();
      else ticks.unregister().onComplete(stopped);
    });
    return stopped.future();
  }

  @Override
  public void run(Consumer<PeerSession> action) {
    executor.execute(() -> action.accept(session));
  }

  /** Runs {@code action} on the session, now (on its loop); whatever it throws is contained to this session. */
  private void guarded(Consumer<PeerSession> action) {
    executor.runGuarded(() -> action.accept(session));
  }

  private void contain(Throwable t) {
    if (session != null) session.fault(t);
  }

  @Override
  public <T> Future<T> call(Function<PeerSession, Future<T>> action) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    run(s -> {
      try {
        action.apply(s).onComplete(p);
      } catch (Throwable e) { // an Error too (e.g. out of direct memory): never leave the caller waiting
        p.tryFail(e);
        contain(e);
      }
    });
    return p.future();
  }

  @Override
  public void onFrame(FrameType type, ByteBuf frame, InetSocketAddress sender) {
    ContextInternal ctx = this.ctx;
    if (ctx.nettyEventLoop().inEventLoop()) {
      // same thread, no hop and no allocation; but on the session's context, so that its timers and
      // whatever Vert.x catches inside (an event-bus interceptor's exception) belong to this session
      ContextInternal previous = executor.enter();
      try {
        session.onFrame(type, frame, sender);
      } catch (Throwable t) {
        contain(t);
      } finally {
        executor.exit(previous);
      }
    } else {
      frame.retain();
      try {
        ctx.runOnContext(v -> {
          try {
            guarded(s -> s.onFrame(type, frame, sender));
          } finally {
            frame.release();
          }
        });
      } catch (RuntimeException closing) { // the context's loop is shutting down
        frame.release();
      }
    }
  }

  @Override
  public boolean isUp() {
    return up;
  }

  @Override
  public void setUp(boolean up) {
    this.up = up;
  }
}
