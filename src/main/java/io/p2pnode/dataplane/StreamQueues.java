package io.p2pnode.dataplane;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A session's outbound messages not yet sent whole, one queue per stream (destination address or
 * byte stream), served by chunk:
 * <ul>
 *   <li>by urgency first: {@link #LEVELS} levels, 0 the most urgent ({@code priority} header,
 *       default {@link #DEFAULT_PRIORITY}); a more urgent level with data goes first,</li>
 *   <li>but without starving the others: a level that had data while {@link #SHARE} chunks in a row
 *       went to more urgent levels gets the next chunk (so each waiting level gets at least one
 *       chunk in {@code SHARE + 1}),</li>
 *   <li>round robin within a level: after each chunk its stream goes to the back of its level's
 *       turn, so a large message never holds back small ones to other addresses.</li>
 * </ul>
 * A stream keeps the level of the message that opened its queue until its queue is empty.
 * Single-threaded.
 */
final class StreamQueues {
  /** Urgency levels: 0 (most urgent) to 7. */
  static final int LEVELS = io.p2pnode.bus.Addresses.MAX_PRIORITY + 1;
  /** The level of a message that names none: the middle, so both more and less urgent ones can be said. */
  static final int DEFAULT_PRIORITY = io.p2pnode.bus.Addresses.DEFAULT_PRIORITY;
  /** Chunks more urgent levels may take in a row while a less urgent one waits. */
  static final int SHARE = 8;

  /** A stream with messages queued: its queue and the level it was opened at. */
  private static final class Stream {
    final Object key;
    final int level;
    final ArrayDeque<ReliableSender.OutMessage> queue = new ArrayDeque<>();

    Stream(Object key, int level) {
      this.key = key;
      this.level = level;
    }
  }

  /** Streams with messages queued, by key (destination address or byte stream). */
  private final Map<Object, Stream> streams = new HashMap<>();
  /** Per level: streams with queued messages, the next to serve first. */
  @SuppressWarnings("unchecked")
  private final ArrayDeque<Stream>[] turns = new ArrayDeque[LEVELS];
  /** Per level: chunks taken by more urgent levels in a row while this one had data. */
  private final int[] skipped = new int[LEVELS];
  private int size;

  StreamQueues() {
    for (int i = 0; i < LEVELS; i++) turns[i] = new ArrayDeque<>();
  }

  void add(ReliableSender.OutMessage m) {
    Stream s = streams.get(m.stream);
    if (s == null) {
      s = new Stream(m.stream, Math.max(0, Math.min(LEVELS - 1, m.priority)));
      streams.put(m.stream, s);
      turns[s.level].add(s);
    }
    s.queue.add(m);
    size++;
  }

  /** The head of the first stream in turn that {@code mayGo} lets go now, or {@code null}. */
  ReliableSender.OutMessage peek(Predicate<ReliableSender.OutMessage> mayGo) {
    for (int level = LEVELS - 1; level > 0; level--) { // a starved level first (the least urgent of them)
      if (skipped[level] >= SHARE) {
        ReliableSender.OutMessage m = peekLevel(level, mayGo);
        if (m != null) return m;
      }
    }
    for (int level = 0; level < LEVELS; level++) {
      ReliableSender.OutMessage m = peekLevel(level, mayGo);
      if (m != null) return m;
    }
    return null;
  }

  private ReliableSender.OutMessage peekLevel(int level, Predicate<ReliableSender.OutMessage> mayGo) {
    for (Stream s : turns[level]) {
      ReliableSender.OutMessage m = s.queue.peek();
      if (mayGo.test(m)) return m;
    }
    return null;
  }

  /** A chunk of {@code m}, the head of its stream, was taken: the stream's turn ends. */
  void taken(ReliableSender.OutMessage m) {
    Stream s = streams.get(m.stream);
    int level = s.level;
    skipped[level] = 0;
    for (int l = level + 1; l < LEVELS; l++) {
      if (!turns[l].isEmpty()) skipped[l]++;
    }
    if (++m.nextChunk == m.count) {
      s.queue.poll();
      size--;
    }
    ArrayDeque<Stream> turn = turns[level];
    if (turn.peekFirst() == s) turn.pollFirst(); // usually the first
    else turn.remove(s);
    if (s.queue.isEmpty()) {
      streams.remove(s.key);
      if (turn.isEmpty()) skipped[level] = 0;
    } else {
      turn.add(s);
    }
  }

  /** Messages queued (a message partly sent counts until its last chunk went). */
  int size() {
    return size;
  }

  /** Streams with messages queued. */
  int streams() {
    return streams.size();
  }

  /** Whether {@code stream} has messages queued. */
  boolean has(Object stream) {
    return streams.containsKey(stream);
  }

  /** Every message queued, stream by stream. */
  void forEach(java.util.function.Consumer<ReliableSender.OutMessage> action) {
    for (Stream s : streams.values()) s.queue.forEach(action);
  }

  void clear() {
    streams.clear();
    for (int i = 0; i < LEVELS; i++) {
      turns[i].clear();
      skipped[i] = 0;
    }
    size = 0;
  }
}
