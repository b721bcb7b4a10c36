package io.p2pnode.session;

import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.PathSocketConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One {@link SessionVerticle} deployment per session, each on an event loop this host chooses: the
 * loop of the application thread that opened it, or for a session a peer opened the node's home
 * loop (where the application that started the node runs, {@link #homeLoop}), as long as that loop
 * then has at most {@link #AFFINITY_SLACK} sessions more than the least loaded one; else the least
 * loaded loop.
 */
public final class VerticleSessionHost implements SessionHost {
  /**
   * How many sessions more than the least loaded loop a loop may have after it took a session its
   * own application opened. An application that talks to a few peers from one verticle keeps them
   * on its loop: each message then reaches its session without a thread crossing, which costs
   * about as much as a loopback datagram on an idle loop (README, How it works). One that talks to
   * many peers spreads them over all loops, so their sealing runs on every core.
   */
  static final int AFFINITY_SLACK = 2;
  private final Vertx vertx;
  private final ListenerGroup listeners;
  private final PathSocketConfig connected;
  private final java.util.function.Supplier<io.p2pnode.transport.TcpTransport> tcp;
  private final java.util.function.UnaryOperator<java.net.InetSocketAddress> coordinatorNow;
  private final Map<SessionHandle, String> deployments = new ConcurrentHashMap<>();
  /** Sessions per event loop; changed under this host's lock. */
  private final Map<io.netty.channel.EventLoop, Integer> perLoop = new java.util.HashMap<>();
  private final Map<SessionHandle, io.netty.channel.EventLoop> placed = new ConcurrentHashMap<>();
  private int ties;
  private volatile io.netty.channel.EventLoop home;
  private SessionVerticle.HardNatConfig hardNat;

  /** @param connected how sessions open connected per-peer sockets, or {@code null} for unconnected mode */
  public VerticleSessionHost(Vertx vertx, ListenerGroup listeners, PathSocketConfig connected) {
    this(vertx, listeners, connected, () -> null, c -> c);
  }

  /**
   * @param tcp            the node's TCP transport ({@code null} inside: no TCP)
   * @param coordinatorNow how a coordinator is best reached now ({@link TcpPaths#coordinatorNow})
   */
  public VerticleSessionHost(Vertx vertx, ListenerGroup listeners, PathSocketConfig connected,
                             java.util.function.Supplier<io.p2pnode.transport.TcpTransport> tcp,
                             java.util.function.UnaryOperator<java.net.InetSocketAddress> coordinatorNow) {
    this.vertx = vertx;
    this.listeners = listeners;
    this.connected = connected;
    this.tcp = tcp;
    this.coordinatorNow = coordinatorNow;
  }

  /**
   * Sessions try hard-NAT strategies with probe sockets opened like {@code probeSockets} (its bind
   * port is ignored: ephemeral), options {@code punch}, the node's probe {@code budget} and NAT profile.
   */
  public void hardNat(PathSocketConfig probeSockets, io.p2pnode.config.PunchOptions punch, io.p2pnode.punch.ProbeBudget budget,
                      java.util.function.Supplier<io.p2pnode.wire.NatProfile> localNat) {
    this.hardNat = new SessionVerticle.HardNatConfig(probeSockets, punch, budget, localNat);
  }

  /**
   * Sessions that peers open (and those opened from threads of no loop of this Vert.x) prefer
   * {@code loop}: the loop of the application that started the node, whose consumers they deliver
   * to ({@code null}: none).
   */
  public void homeLoop(io.netty.channel.EventLoop loop) {
    this.home = loop;
  }

  @Override
  public Future<SessionHandle> open(io.netty.channel.EventLoop near, Function<PacketSocket, PeerSession> factory) {
    io.netty.channel.EventLoop loop = place(near);
    SessionVerticle v = new SessionVerticle(listeners, connected, tcp.get(), coordinatorNow, loop, factory);
    v.hardNat(hardNat);
    placed.put(v, loop);
    return vertx.deployVerticle(v).<SessionHandle>map(id -> {
      deployments.put(v, id);
      return v;
    }).onFailure(err -> unplace(v));
  }

  @Override
  public Future<Void> close(SessionHandle handle) {
    String id = deployments.remove(handle);
    if (id == null) return Future.succeededFuture();
    unplace(handle);
    return vertx.undeploy(id);
  }

  @Override
  public io.netty.channel.EventLoop callerLoop() {
    io.vertx.core.internal.ContextInternal c = io.vertx.core.internal.ContextInternal.current();
    return c != null && c.nettyEventLoop().inEventLoop() ? loopOf(vertx, c) : null;
  }

  /** The event loops of {@code vertx}, in its group's order. */
  public static java.util.List<io.netty.channel.EventLoop> loops(Vertx vertx) {
    java.util.List<io.netty.channel.EventLoop> loops = new java.util.ArrayList<>();
    ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup().forEach(e -> loops.add((io.netty.channel.EventLoop) e));
    return loops;
  }

  /** The event loop of {@code context} if it is an event-loop context of {@code vertx}, else {@code null}. */
  public static io.netty.channel.EventLoop loopOf(Vertx vertx, io.vertx.core.Context context) {
    io.vertx.core.internal.ContextInternal c = (io.vertx.core.internal.ContextInternal) context;
    return c.owner() == vertx && c.isEventLoopContext() ? c.nettyEventLoop() : null;
  }

  /**
   * The loop of a new session: the {@code opener}'s (or with none the {@linkplain #homeLoop home}
   * loop) unless that would put it {@link #AFFINITY_SLACK} + 1 above the least loaded; else the
   * least loaded, ties in turn.
   */
  synchronized io.netty.channel.EventLoop place(io.netty.channel.EventLoop opener) {
    io.netty.channel.EventLoop near = opener != null ? opener : home;
    java.util.List<io.netty.channel.EventLoop> loops = loops(vertx);
    io.netty.channel.EventLoop least = null;
    int start = ties++;
    for (int i = 0; i < loops.size(); i++) {
      io.netty.channel.EventLoop l = loops.get(Math.floorMod(start + i, loops.size()));
      if (least == null || sessionsOn(l) < sessionsOn(least)) least = l;
    }
    io.netty.channel.EventLoop chosen = near != null && loops.contains(near) && sessionsOn(near) + 1 - sessionsOn(least) <= AFFINITY_SLACK
      ? near : least;
    perLoop.merge(chosen, 1, Integer::sum);
    return chosen;
  }

  private synchronized void unplace(SessionHandle handle) {
    io.netty.channel.EventLoop l = placed.remove(handle);
    if (l != null) perLoop.computeIfPresent(l, (k, n) -> n > 1 ? n - 1 : null);
  }

  private int sessionsOn(io.netty.channel.EventLoop loop) {
    return perLoop.getOrDefault(loop, 0);
  }
}
