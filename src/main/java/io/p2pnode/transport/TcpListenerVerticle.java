package io.p2pnode.transport;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The node's TCP side as a verticle: starts the {@link TcpTransport} (listener on the node's TCP
 * port, shared with outgoing connections) and closes it, with every connection, on undeploy.
 */
public final class TcpListenerVerticle extends VerticleBase {
  private final InetSocketAddress bind;
  private final TcpTransport.Config config;
  private final PacketHandler router;
  private final Supplier<PacketSocket> replySocket;
  private final Counters counters;
  private volatile TcpTransport transport;

  /**
   * @param router      where inbound frames go, as datagrams do
   * @param replySocket the socket handed to the router with them (answers to a TCP sender go back over its connection)
   */
  public TcpListenerVerticle(InetSocketAddress bind, TcpTransport.Config config, PacketHandler router,
                             Supplier<PacketSocket> replySocket, Counters counters) {
    this.bind = bind;
    this.config = config;
    this.router = router;
    this.replySocket = replySocket;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    return TcpTransport.listen(vertx, bind, config, router, replySocket, counters).onSuccess(t -> transport = t);
  }

  @Override
  public Future<?> stop() {
    return transport == null ? Future.succeededFuture() : transport.close();
  }

  /** The transport (after start). */
  public TcpTransport transport() {
    return transport;
  }
}
