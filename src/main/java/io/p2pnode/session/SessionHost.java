package io.p2pnode.session;

import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;

import java.util.function.Function;

/** Gives sessions a thread and a socket, and takes them back. */
public interface SessionHost {
  /** Starts a session built by {@code factory} with the socket it should send on. */
  Future<SessionHandle> open(Function<PacketSocket, PeerSession> factory);

  /** Stops a session's host (for a verticle: undeploys it, which says goodbye). */
  Future<Void> close(SessionHandle handle);
}
