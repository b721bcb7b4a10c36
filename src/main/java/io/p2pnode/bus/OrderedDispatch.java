package io.p2pnode.bus;

import io.p2pnode.session.SessionHandle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Hands the API's messages to their peer's session in the order the API received them, from the
 * first message on. A peer whose session does not exist yet gets one (the session queues what it
 * is sent until a path holds); meanwhile its messages wait here, in order, and are handed over
 * together once the session exists. After that each message goes straight to the session's
 * thread, whose task queue keeps the order: the order of one sending thread, as on the event
 * bus. Any thread (the API is called on the application's threads). A message to a peer with a
 * running session and nothing waiting takes no lock; the waiting queues are changed under one
 * lock, and a released queue leaves the map only after it was handed over whole, so a message
 * dispatched meanwhile waits for the lock and goes after the queue's.
 */
public final class OrderedDispatch {
  private final Executor home;
  private final Function<String, SessionHandle> existing;
  private final Function<String, Future<SessionHandle>> open;
  private final int maxWaiting;
  private final Map<String, ArrayDeque<Consumer<AsyncResult<SessionHandle>>>> waiting = new ConcurrentHashMap<>();

  /**
   * @param home       runs a task on the thread this dispatcher is used on
   * @param existing   the running session of a peer, or {@code null} (any thread)
   * @param open       creates the session of a peer (and starts its introduction)
   * @param maxWaiting messages one peer may have waiting for its session (beyond: 429)
   */
  public OrderedDispatch(Executor home, Function<String, SessionHandle> existing, Function<String, Future<SessionHandle>> open,
                  int maxWaiting) {
    this.home = home;
    this.existing = existing;
    this.open = open;
    this.maxWaiting = maxWaiting;
  }

  /** Runs {@code action} with the session of {@code peerId} (or why there is none), after every earlier dispatch to that peer. */
  public void dispatch(String peerId, Consumer<AsyncResult<SessionHandle>> action) {
    if (!waiting.containsKey(peerId)) { // the usual case: nothing waits, the session runs
      SessionHandle h = existing.apply(peerId);
      if (h != null) {
        action.accept(Future.succeededFuture(h));
        return;
      }
    }
    dispatchLocked(peerId, action);
  }

  private synchronized void dispatchLocked(String peerId, Consumer<AsyncResult<SessionHandle>> action) {
    ArrayDeque<Consumer<AsyncResult<SessionHandle>>> queue = waiting.get(peerId);
    if (queue == null) {
      SessionHandle h = existing.apply(peerId);
      if (h != null) {
        action.accept(Future.succeededFuture(h));
        return;
      }
      queue = new ArrayDeque<>();
      queue.add(action);
      waiting.put(peerId, queue);
      Future<SessionHandle> session;
      try {
        session = open.apply(peerId);
      } catch (RuntimeException e) { // the node is stopping: nothing may wait here for ever
        session = Future.failedFuture(Failure.UNREACHABLE.exception("no session for " + peerId + ": " + e.getMessage()));
      }
      session.onComplete(ar -> home.execute(() -> release(peerId, ar))); // may complete at once
      return;
    }
    if (queue.size() >= maxWaiting) {
      action.accept(Future.failedFuture(Failure.QUEUE_FULL.exception(queue.size() + " messages to " + peerId
        + " wait for its session to start (session.maxInFlight)")));
      return;
    }
    queue.add(action);
  }

  private synchronized void release(String peerId, AsyncResult<SessionHandle> session) {
    ArrayDeque<Consumer<AsyncResult<SessionHandle>>> queue = waiting.get(peerId);
    if (queue == null) return;
    // polled, not iterated: an action that dispatches again on this thread appends to the queue
    for (Consumer<AsyncResult<SessionHandle>> action; (action = queue.poll()) != null; ) {
      try {
        action.accept(session);
      } catch (RuntimeException e) { // one message's trouble must not strand the ones behind it
        java.util.logging.Logger.getLogger("p2p.bus").log(java.util.logging.Level.WARNING, "dispatch to " + peerId + " failed", e);
      }
    }
    waiting.remove(peerId); // only now may a dispatch skip the lock
  }

  /** Peers whose messages wait for their session now. */
  public int waitingPeers() {
    return waiting.size();
  }
}
