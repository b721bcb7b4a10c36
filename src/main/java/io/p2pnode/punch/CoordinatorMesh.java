package io.p2pnode.punch;

import io.vertx.core.Future;

/**
 * How clustered coordinators hand each other frames for their peers: an introduction or a
 * relayed frame for a peer registered with another coordinator goes to that coordinator, which
 * holds the peer's NAT mapping and sends it from its own socket. The cluster implements it
 * over the clustered event bus; the in-memory lab between lab coordinators.
 */
public interface CoordinatorMesh {
  /**
   * Asks coordinator {@code coordinator} to send the encoded control frame {@code frame} to its
   * registered peer {@code peerId}; fails when that coordinator is gone or does not hold the peer.
   */
  Future<Void> deliver(String coordinator, String peerId, byte[] frame);

  /** As {@link #deliver}, without waiting for an answer (relayed data frames). */
  void forward(String coordinator, String peerId, byte[] frame);
}
