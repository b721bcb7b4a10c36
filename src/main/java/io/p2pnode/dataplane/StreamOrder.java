package io.p2pnode.dataplane;

import io.netty.util.collection.LongObjectHashMap;
import io.p2pnode.wire.SessionCodec;

import java.util.ArrayDeque;

/**
 * The order in which a session's complete reliable messages are handed over: one ordered stream
 * per destination address. Each message names the previous one of its stream ({@code prev}, 0 for
 * the first), and goes as soon as that one went, whatever other streams wait for: a lost datagram
 * delays only the streams whose data it carried. Also keeps the receive window's floor: every
 * message id below it went (or was dealt with otherwise: a large reply, an undecodable message).
 * Single-threaded.
 *
 * <p>Ids are kept in primitive maps, created when first needed: with boxed ids (a {@code HashMap},
 * a {@code TreeSet}) a receiver allocated about a fifth of its heap per 64 B message here (JFR),
 * each id above 127 boxed three to five times on its way through. The maps spread their ids
 * ({@link IdMap}): Netty's primitive maps put a key at its own value modulo their size, so the
 * consecutive ids of a burst would fill one run of slots, and each removal (linear probing) would
 * then walk the rest of that run.
 */
final class StreamOrder {
  /** The value of {@link #doneAbove}'s entries: it is a set. */
  private static final Object DONE = Boolean.TRUE;
  private long floor = 1;
  /** Ids above {@link #floor} that went already. */
  private IdMap<Object> doneAbove;
  /** Complete messages that did not go yet, by id. */
  private IdMap<SessionCodec.Data> ready;
  /** A complete message waiting for its predecessor, by the predecessor's id. */
  private IdMap<SessionCodec.Data> waitingOn;
  /** Complete messages whose predecessor went: they go in this order. */
  private final ArrayDeque<SessionCodec.Data> runnable = new ArrayDeque<>();

  /**
   * Where message {@code id} goes in an {@link IdMap}: its id times an odd constant (Fibonacci
   * hashing), a bijection on longs, so distinct ids stay distinct and consecutive ones land apart.
   * Measured (one core, a put and a remove per id, in order): 155–165 ns with 256 consecutive ids
   * held and 2.4–2.8 µs with 4 096, against 19–21 and 26 ns spread; JFR had put a fifth of a
   * receiver's loop in those removals at 64 B with 256 in flight.
   */
  static long slot(long id) {
    return id * 0x9E3779B97F4A7C15L;
  }

  /** A map of message ids that keeps each at its {@link #slot} (the methods by id; nothing iterates it). */
  private static final class IdMap<V> extends LongObjectHashMap<V> {
    @Override
    public V get(long id) {
      return super.get(slot(id));
    }

    @Override
    public V put(long id, V value) {
      return super.put(slot(id), value);
    }

    @Override
    public V remove(long id) {
      return super.remove(slot(id));
    }

    @Override
    public boolean containsKey(long id) {
      return super.containsKey(slot(id));
    }
  }

  /** The lowest id that did not go yet. */
  long floor() {
    return floor;
  }

  /** Whether message {@code id} arrived already (it went, or waits): a copy of it is a duplicate. */
  boolean seen(long id) {
    return isDone(id) || (ready != null && ready.containsKey(id));
  }

  private boolean isDone(long id) {
    return id == 0 || id < floor || (doneAbove != null && doneAbove.containsKey(id));
  }

  /**
   * A complete message: runnable at once if its predecessor went, else waiting for it.
   *
   * @return false when another message already claims the same predecessor (malformed: the caller drops it)
   */
  boolean add(SessionCodec.Data d) {
    if (isDone(d.prev())) {
      runnable.add(d);
    } else {
      if (waitingOn == null) waitingOn = new IdMap<>();
      if (waitingOn.containsKey(d.prev())) return false;
      waitingOn.put(d.prev(), d);
    }
    if (ready == null) ready = new IdMap<>();
    ready.put(d.msgId(), d);
    return true;
  }

  /** Message {@code id} went, or needs no handing over: the window moves, its successor may go. */
  void done(long id) {
    if (id == floor) {
      floor++;
      while (doneAbove != null && doneAbove.remove(floor) != null) floor++;
    } else if (id > floor) {
      if (doneAbove == null) doneAbove = new IdMap<>();
      doneAbove.put(id, DONE);
    }
    SessionCodec.Data next = waitingOn == null ? null : waitingOn.remove(id);
    if (next != null) runnable.add(next);
  }

  boolean hasRunnable() {
    return !runnable.isEmpty();
  }

  /** The next message to hand over, counted as gone; {@code null} when none may go. */
  SessionCodec.Data poll() {
    SessionCodec.Data d = runnable.poll();
    if (d == null) return null;
    ready.remove(d.msgId());
    done(d.msgId());
    return d;
  }

  /** Complete messages that did not go yet. */
  int waiting() {
    return ready == null ? 0 : ready.size();
  }

  void clear() {
    if (ready != null) ready.clear();
    if (waitingOn != null) waitingOn.clear();
    if (doneAbove != null) doneAbove.clear();
    runnable.clear();
  }
}
