package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.p2pnode.transport.Counters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sending side of byte streams, driven directly: when a stream counts as ended for its sender. */
class OutboundStreamsTest {
  private final List<ReliableSender.OutMessage> queued = new ArrayList<>();
  private long nextId;
  private final OutboundStreams streams = new OutboundStreams(new OutboundStreams.Output() {
    public long nextMsgId() {
      return ++nextId;
    }

    public ReliableSender.OutMessage enqueue(long msgId, ByteBuf encoded, Object stream) {
      ReliableSender.OutMessage m = new ReliableSender.OutMessage(msgId, false, encoded, 1200, stream);
      queued.add(m);
      return m;
    }
  }, new Counters());

  private static final class Heard implements OutboundStreamListener {
    long acked;
    int ended;

    public void acked(long bytes) {
      acked += bytes;
    }

    public void ended() {
      ended++;
    }

    public void failed(ReplyException cause) {
      throw new AssertionError(cause);
    }
  }

  @Test
  void theEndAcknowledgedBeforeTheDataEndsTheStreamOnlyOnceTheDataIsAcknowledgedToo() {
    Heard heard = new Heard();
    int id = streams.open("files", 3, heard);
    assertTrue(streams.write(id, Buffer.buffer(new byte[1000]), false));
    assertTrue(streams.write(id, Buffer.buffer(new byte[500]), true));
    assertEquals(3, queued.size(), "two chunks and the end");
    queued.get(2).onAcked.run(); // the end arrived; the chunks before it were lost and are sent again
    assertEquals(0, heard.ended, "the peer does not have every byte yet");
    assertEquals(1, streams.size(), "the stream is still open");
    queued.get(0).onAcked.run();
    assertEquals(0, heard.ended);
    queued.get(1).onAcked.run();
    assertEquals(1500, heard.acked);
    assertEquals(1, heard.ended, "every byte and the end acknowledged: ended, once");
    assertEquals(0, streams.size());
    assertFalse(streams.write(id, Buffer.buffer("more"), false), "an ended stream takes nothing more");
  }

  @Test
  void inOrderAcknowledgementsEndTheStreamWithItsEnd() {
    Heard heard = new Heard();
    int id = streams.open("files", 3, heard);
    streams.write(id, Buffer.buffer(new byte[10]), true);
    queued.get(0).onAcked.run();
    assertEquals(0, heard.ended);
    queued.get(1).onAcked.run();
    assertEquals(1, heard.ended);
    assertEquals(10, heard.acked);
  }
}
