package io.p2pnode.session;

import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.PathSocketConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One {@link SessionVerticle} deployment per session. */
public final class VerticleSessionHost implements SessionHost {
  private final Vertx vertx;
  private final ListenerGroup listeners;
  private final PathSocketConfig connected;
  private final java.util.function.Supplier<io.p2pnode.transport.TcpTransport> tcp;
  private final java.util.function.UnaryOperator<java.net.InetSocketAddress> coordinatorNow;
  private final Map<SessionHandle, String> deployments = new ConcurrentHashMap<>();
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

  @Override
  public Future<SessionHandle> open(Function<PacketSocket, PeerSession> factory) {
    SessionVerticle v = new SessionVerticle(listeners, connected, tcp.get(), coordinatorNow, factory);
    v.hardNat(hardNat);
    return vertx.deployVerticle(v).map(id -> {
      deployments.put(v, id);
      return v;
    });
  }

  @Override
  public Future<Void> close(SessionHandle handle) {
    String id = deployments.remove(handle);
    return id == null ? Future.succeededFuture() : vertx.undeploy(id);
  }
}
