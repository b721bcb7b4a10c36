package io.p2pnode.session;

import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;

import java.net.InetSocketAddress;

/**
 * Opens the per-peer connected socket of the UDP accept model (DESIGN §1) on the session's own
 * event loop: bound to the node's port with SO_REUSEPORT and connected to the peer, so the kernel
 * hands that peer's datagrams straight to the session and reports ICMP errors for it.
 */
@FunctionalInterface
public interface PathSockets {
  /**
   * @param onUnreachable runs on the session's thread when ICMP says the peer's port is closed
   */
  Future<PacketSocket> open(InetSocketAddress remote, Runnable onUnreachable);
}
