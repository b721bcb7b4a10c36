package io.p2pnode.session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A session's outbound messages not yet sent whole, one queue per stream (destination address),
 * served round robin by chunk: after each chunk its stream goes to the back of the turn, so a
 * large message never holds back small ones to other addresses. Single-threaded.
 */
final class StreamQueues {
  private final Map<Object, ArrayDeque<ReliableSender.OutMessage>> queues = new HashMap<>();
  /** Streams with queued messages, the next to serve first. */
  private final ArrayDeque<Object> turn = new ArrayDeque<>();
  private int size;

  void add(ReliableSender.OutMessage m) {
    ArrayDeque<ReliableSender.OutMessage> q = queues.get(m.stream);
    if (q == null) {
      q = new ArrayDeque<>();
      queues.put(m.stream, q);
      turn.add(m.stream);
    }
    q.add(m);
    size++;
  }

  /** The head of the first stream in turn that {@code mayGo} lets go now, or {@code null}. */
  ReliableSender.OutMessage peek(Predicate<ReliableSender.OutMessage> mayGo) {
    for (Object s : turn) {
      ReliableSender.OutMessage m = queues.get(s).peek();
      if (mayGo.test(m)) return m;
    }
    return null;
  }

  /** A chunk of {@code m}, the head of its stream, was taken: the stream's turn ends. */
  void taken(ReliableSender.OutMessage m) {
    ArrayDeque<ReliableSender.OutMessage> q = queues.get(m.stream);
    if (++m.nextChunk == m.count) {
      q.poll();
      size--;
    }
    for (Iterator<Object> it = turn.iterator(); it.hasNext(); ) { // usually the first
      if (it.next().equals(m.stream)) {
        it.remove();
        break;
      }
    }
    if (q.isEmpty()) queues.remove(m.stream);
    else turn.add(m.stream);
  }

  /** Messages queued (a message partly sent counts until its last chunk went). */
  int size() {
    return size;
  }

  void clear() {
    queues.clear();
    turn.clear();
    size = 0;
  }
}
