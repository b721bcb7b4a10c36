package io.p2pnode.session;

import io.p2pnode.transport.FrameReceiver;
import io.vertx.core.Future;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How the rest of the node reaches a {@link PeerSession} that lives on its own thread: every
 * interaction is handed to that thread. {@link SessionVerticle} is the real one; the in-memory
 * lab runs sessions inline.
 */
public interface SessionHandle extends FrameReceiver {
  /** Runs {@code action} on the session's thread. */
  void run(Consumer<PeerSession> action);

  /** Runs {@code action} on the session's thread; its result, or its exception as a failure. */
  <T> Future<T> call(Function<PeerSession, Future<T>> action);

  /** Whether the session is up; readable from any thread. */
  boolean isUp();

  /** Set by the manager on up/down. */
  void setUp(boolean up);
}
