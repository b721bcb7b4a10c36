package io.p2pnode.punch;

import io.p2pnode.transport.PacketHandler;
import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;

/**
 * Where the hard side of a birthday probe gets its extra sockets: UDP on ephemeral ports, on the
 * session's thread (real node: its event loop; lab: the lab's). One that wins becomes the
 * session's path socket, and what arrives on it then goes through {@link #router()}.
 */
public interface ProbeSockets {
  /** Opens a socket on an ephemeral port that sends with IP TTL {@code ttl} (0: default) and hands arrivals to {@code handler}. */
  Future<PacketSocket> open(int ttl, PacketHandler handler);

  /** The node's packet router: what a winning socket receives goes there, as a listener's would. */
  PacketHandler router();
}
