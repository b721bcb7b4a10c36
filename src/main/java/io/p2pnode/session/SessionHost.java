package io.p2pnode.session;

import io.netty.channel.EventLoop;
import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;

import java.util.function.Function;

/** Gives sessions a thread and a socket, and takes them back. */
public interface SessionHost {
  /**
   * Starts a session built by {@code factory} with the socket it should send on.
   *
   * @param near the event loop of the application thread that opened it ({@link #callerLoop}), or
   *             {@code null}: a session opened by a peer, or from a thread of no loop
   */
  Future<SessionHandle> open(EventLoop near, Function<PacketSocket, PeerSession> factory);

  /** Stops a session's host (for a verticle: undeploys it, which says goodbye). */
  Future<Void> close(SessionHandle handle);

  /**
   * The event loop of the calling thread's context, if it is one this host can run sessions on;
   * else {@code null}. Called on the application's thread when it opens a session.
   */
  default EventLoop callerLoop() {
    return null;
  }
}
