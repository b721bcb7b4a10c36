package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.p2pnode.transport.Counters;
import io.p2pnode.wire.SessionCodec;
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
  /** What fits whole in one datagram on the current path (an Internet path's unless a test says otherwise). */
  private int whole = 1_150;
  private final OutboundStreams streams = new OutboundStreams(new OutboundStreams.Output() {
    public long nextMsgId() {
      return ++nextId;
    }

    public ReliableSender.OutMessage enqueue(long msgId, ByteBuf encoded, Object stream) {
      ReliableSender.OutMessage m = new ReliableSender.OutMessage(msgId, false, encoded, 1200, stream);
      queued.add(m);
      return m;
    }

    public int wholeMessageBytes() {
      return whole;
    }

    public void control(io.p2pnode.wire.FrameType type, ByteBuf body) {
      control.add(type + ":" + io.netty.buffer.ByteBufUtil.hexDump(body));
    }
  }, new Counters());
  private final List<String> control = new ArrayList<>();

  private static final class Heard implements OutboundStreamListener {
    long acked;
    int ended;
    io.p2pnode.bus.StreamResetException reset;

    public void acked(long bytes) {
      acked += bytes;
    }

    public void ended() {
      ended++;
    }

    public void failed(io.vertx.core.VertxException cause) {
      if (cause instanceof io.p2pnode.bus.StreamResetException r) {
        reset = r;
        return;
      }
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

  @Test
  void chunksGoWholeInOneDatagramOnALargeDatagramPathAndAre64KiBOnSmallOnes() {
    whole = 65_000; // loopback: a 64 KiB chunk and its header would not fit, and be cut into fragments
    streams.write(streams.open("files", 3, new Heard()), Buffer.buffer(new byte[200_000]), false);
    assertEquals(4, queued.size(), "200 000 bytes in chunks of a little less than 65 000");
    for (ReliableSender.OutMessage m : queued) assertTrue(m.bytes.readableBytes() <= whole, m.bytes.readableBytes() + " bytes");
    queued.clear();
    whole = 20_000; // a path with datagrams smaller than half a chunk: 64 KiB chunks, cut into fragments
    streams.write(streams.open("files", 3, new Heard()), Buffer.buffer(new byte[100_000]), false);
    assertEquals(2, queued.size());
    assertTrue(queued.get(0).bytes.readableBytes() > SessionCodec.MAX_STREAM_CHUNK, "a whole 64 KiB chunk and its header");
    assertTrue(queued.get(1).bytes.readableBytes() > 100_000 - SessionCodec.MAX_STREAM_CHUNK);
  }

  @Test
  void aResetDropsWhatWaitsForCreditTellsThePeerAndFailsTheWriterEitherWay() {
    Heard heard = new Heard();
    int id = streams.open("files", 3, heard);
    streams.write(id, Buffer.buffer(new byte[1_000_000]), false); // more than the first credit (256 KiB): the rest waits
    int queuedBefore = queued.size();
    assertTrue(streams.reset(id, 7));
    assertEquals("RESET:" + String.format("%08x", id) + "00" + "00000007", control.get(0), "side 0: the writer's own stream");
    assertEquals(7, heard.reset.code());
    assertFalse(streams.reset(id, 7), "once");
    streams.onCredit(new io.p2pnode.wire.BundleCodec.Credit(id, 10_000_000));
    assertEquals(queuedBefore, queued.size(), "what waited for credit is not sent");
    assertFalse(streams.write(id, Buffer.buffer("more"), false));
    assertEquals(0, streams.size());
    // the peer's reader resets another stream
    Heard other = new Heard();
    int id2 = streams.open("chat", 3, other);
    streams.onReset(new io.p2pnode.wire.BundleCodec.Reset(id2, io.p2pnode.wire.BundleCodec.SIDE_READER, 9));
    assertEquals(9, other.reset.code());
    assertFalse(streams.write(id2, Buffer.buffer("more"), false), "nothing more is sent");
    assertEquals(1, control.size(), "no RESET back for the peer's own");
  }

  @Test
  void theWriterHearsOnlyBytesAcknowledgedWithoutAGap() {
    Heard heard = new Heard();
    int id = streams.open("files", 3, heard);
    streams.write(id, Buffer.buffer(new byte[1000]), false);
    streams.write(id, Buffer.buffer(new byte[2000]), false);
    streams.write(id, Buffer.buffer(new byte[3000]), false);
    assertEquals(3, queued.size());
    queued.get(2).onAcked.run(); // the last chunk arrived; the first two are lost, on their way again
    assertEquals(0, heard.acked, "nothing without a gap yet: no write may count as delivered");
    queued.get(0).onAcked.run();
    assertEquals(1000, heard.acked);
    queued.get(1).onAcked.run();
    assertEquals(6000, heard.acked, "the gap closed: the rest at once");
  }
}
