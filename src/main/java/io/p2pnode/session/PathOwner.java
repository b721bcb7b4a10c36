package io.p2pnode.session;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/** What a {@link PathFinder} needs of the session that owns it: the way out, and where its findings go. */
interface PathOwner {
  /** Sends a whole frame to {@code to} (a relay endpoint or a TCP link as well). */
  void sendTo(ByteBuf frame, InetSocketAddress to);

  /** An authenticated packet of the peer arrived now (liveness). */
  void heard();

  /**
   * {@code c} became the path.
   *
   * @param previous the path before, or {@code null} for the first lock
   * @param moved    the peer is at another address than before
   * @param resend   what is in flight must go again (the path moved, or it was recovering)
   */
  void locked(Candidate c, Path previous, boolean moved, boolean resend);

  /** The peer's session id changed while up: it started a new session. */
  void peerStartedOver();

  /** The first attempt is over without a path: the session closes with {@code reason}. */
  void failed(String reason);

  /** A transition, after it happened (tests observe them here). */
  default void transitioned(PathFinder.State from, PathFinder.State to, String why) {
  }
}
