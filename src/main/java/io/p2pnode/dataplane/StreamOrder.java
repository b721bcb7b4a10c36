package io.p2pnode.dataplane;

import io.p2pnode.wire.SessionCodec;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The order in which a session's complete reliable messages are handed over: one ordered stream
 * per destination address. Each message names the previous one of its stream ({@code prev}, 0 for
 * the first), and goes as soon as that one went, whatever other streams wait for: a lost datagram
 * delays only the streams whose data it carried. Also keeps the receive window's floor: every
 * message id below it went (or was dealt with otherwise: a large reply, an undecodable message).
 * Single-threaded.
 */
final class StreamOrder {
  private long floor = 1;
  /** Ids above {@link #floor} that went already. */
  private final TreeSet<Long> doneAbove = new TreeSet<>();
  /** Complete messages that did not go yet, by id. */
  private final Map<Long, SessionCodec.Data> ready = new HashMap<>();
  /** A complete message waiting for its predecessor: predecessor id → its id. */
  private final Map<Long, Long> waitingOn = new HashMap<>();
  /** Complete messages whose predecessor went: they go in this order. */
  private final ArrayDeque<Long> runnable = new ArrayDeque<>();

  /** The lowest id that did not go yet. */
  long floor() {
    return floor;
  }

  /** Whether message {@code id} arrived already (it went, or waits): a copy of it is a duplicate. */
  boolean seen(long id) {
    return isDone(id) || ready.containsKey(id);
  }

  private boolean isDone(long id) {
    return id == 0 || id < floor || doneAbove.contains(id);
  }

  /**
   * A complete message: runnable at once if its predecessor went, else waiting for it.
   *
   * @return false when another message already claims the same predecessor (malformed: the caller drops it)
   */
  boolean add(SessionCodec.Data d) {
    if (isDone(d.prev())) {
      runnable.add(d.msgId());
    } else if (waitingOn.putIfAbsent(d.prev(), d.msgId()) != null) {
      return false;
    }
    ready.put(d.msgId(), d);
    return true;
  }

  /** Message {@code id} went, or needs no handing over: the window moves, its successor may go. */
  void done(long id) {
    if (id == floor) {
      floor++;
      while (doneAbove.remove(floor)) floor++;
    } else if (id > floor) {
      doneAbove.add(id);
    }
    Long next = waitingOn.remove(id);
    if (next != null) runnable.add(next);
  }

  boolean hasRunnable() {
    return !runnable.isEmpty();
  }

  /** The next message to hand over, counted as gone; {@code null} when none may go. */
  SessionCodec.Data poll() {
    Long id = runnable.poll();
    if (id == null) return null;
    SessionCodec.Data d = ready.remove(id);
    done(id);
    return d;
  }

  /** Complete messages that did not go yet. */
  int waiting() {
    return ready.size();
  }

  void clear() {
    ready.clear();
    waitingOn.clear();
    runnable.clear();
    doneAbove.clear();
  }
}
