package io.p2pnode.dataplane;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Round robin by chunk between streams; the window gate skips a stream without stopping the
 * others; urgency levels go first without starving the less urgent ones.
 */
class StreamQueuesTest {
  private static ReliableSender.OutMessage msg(long id, int bytes, Object stream) {
    return new ReliableSender.OutMessage(id, false, Unpooled.buffer(bytes).writerIndex(bytes), 100, stream);
  }

  @Test
  void streamsTakeTurnsByChunk() {
    StreamQueues q = new StreamQueues();
    q.add(msg(1, 350, "files")); // 4 chunks
    q.add(msg(2, 50, "chat"));
    q.add(msg(3, 50, new String("chat"))); // equal addresses are one stream, whichever String carries them
    List<String> order = new ArrayList<>();
    for (ReliableSender.OutMessage m = q.peek(x -> true); m != null; m = q.peek(x -> true)) {
      order.add(m.stream + "" + m.msgId + "." + m.nextChunk);
      q.taken(m);
    }
    assertEquals(List.of("files1.0", "chat2.0", "files1.1", "chat3.0", "files1.2", "files1.3"), order);
    assertEquals(0, q.size());
  }

  @Test
  void aStreamBeyondTheWindowDoesNotStopTheOthers() {
    StreamQueues q = new StreamQueues();
    q.add(msg(7, 50, "a"));
    q.add(msg(2, 50, "b"));
    ReliableSender.OutMessage m = q.peek(x -> x.msgId <= 5);
    assertEquals(2, m.msgId);
    q.taken(m);
    assertNull(q.peek(x -> x.msgId <= 5));
    assertEquals(1, q.size());
  }

  private static ReliableSender.OutMessage msg(long id, int bytes, Object stream, int priority) {
    ReliableSender.OutMessage m = msg(id, bytes, stream);
    m.priority = priority;
    return m;
  }

  /** Takes {@code n} chunks (or until empty) and names the stream of each. */
  private static List<Object> take(StreamQueues q, int n) {
    List<Object> order = new ArrayList<>();
    for (ReliableSender.OutMessage m = q.peek(x -> true); m != null && order.size() < n; m = q.peek(x -> true)) {
      order.add(m.stream);
      q.taken(m);
    }
    return order;
  }

  @Test
  void aMoreUrgentStreamGoesFirst() {
    StreamQueues q = new StreamQueues();
    q.add(msg(1, 400, "bulk", 5)); // 4 chunks
    q.add(msg(2, 300, "voice", 0)); // 3 chunks
    assertEquals(List.of("voice", "voice", "voice", "bulk", "bulk", "bulk", "bulk"), take(q, 100));
  }

  @Test
  void aLessUrgentLevelIsNotStarvedItGetsOneChunkInShareAndOne() {
    StreamQueues q = new StreamQueues();
    q.add(msg(1, 100 * 1000, "urgent", 0)); // 1 000 chunks
    q.add(msg(2, 100 * 100, "background", 7)); // 100 chunks
    q.add(msg(3, 100 * 100, "normal", StreamQueues.DEFAULT_PRIORITY));
    List<Object> order = take(q, 900);
    long background = order.stream().filter("background"::equals).count();
    long normal = order.stream().filter("normal"::equals).count();
    long urgent = order.stream().filter("urgent"::equals).count();
    assertTrue(urgent > 600, "urgent still takes most: " + urgent);
    assertTrue(normal >= 900 / (2 * (StreamQueues.SHARE + 1)), "normal gets its share: " + normal);
    assertTrue(background >= 900 / (2 * (StreamQueues.SHARE + 1)) - 1, "background gets a share too: " + background);
    // never more than SHARE chunks in a row pass a waiting level
    int run = 0;
    for (Object s : order.subList(0, 300)) {
      run = "background".equals(s) ? 0 : run + 1;
      assertTrue(run <= 2 * StreamQueues.SHARE + 2, "background waited " + run + " chunks");
    }
  }

  @Test
  void streamsOfOneLevelStillTakeTurns() {
    StreamQueues q = new StreamQueues();
    q.add(msg(1, 300, "a", 1));
    q.add(msg(2, 300, "b", 1));
    assertEquals(List.of("a", "b", "a", "b", "a", "b"), take(q, 100));
    assertEquals(0, q.streams());
  }
}
