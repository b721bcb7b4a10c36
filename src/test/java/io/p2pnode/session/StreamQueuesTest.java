package io.p2pnode.session;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Round robin by chunk between streams; the window gate skips a stream without stopping the others. */
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
}
