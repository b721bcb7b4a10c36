package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.FrameType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a receiver's ACKs carry: every range of received packets the peer may not know of yet,
 * none it does (RFC 9000 13.2.4), and no ACK that is not due unless a packet that asks for one
 * arrived since the last.
 */
class AckRangesTest {
  private final ReliableReceiver r = new ReliableReceiver(new ManualScheduler(), new Counters(), 4096, 1 << 20,
    new AtomicLong(), 1L << 30, 1 << 20, () -> { });

  private BundleCodec.Ack writeAck() {
    ByteBuf b = Unpooled.buffer();
    assertTrue(r.writeAck(b) >= 0);
    BundleCodec.Ack[] ack = new BundleCodec.Ack[1];
    BundleCodec.forEach(b, (type, body) -> {
      assertEquals(FrameType.ACK, type);
      ack[0] = BundleCodec.readAck(body);
    });
    return ack[0];
  }

  @Test
  void rangesThePeerHasSeenInAnAckAreNotRepeated() {
    for (long pn = 0; pn < 40; pn++) if (pn % 5 != 4) r.onPacket(pn, true); // every fifth lost: 8 ranges
    BundleCodec.Ack first = writeAck();
    assertEquals(38, first.largest());
    assertEquals(16, first.ranges().length, "8 ranges, two numbers each");
    assertEquals(0, first.ranges()[first.ranges().length - 2]);

    for (long pn = 40; pn < 50; pn++) if (pn != 44) r.onPacket(pn, true);
    r.ackAcknowledged(38); // the peer acknowledged the packet that carried the first ACK
    BundleCodec.Ack second = writeAck();
    assertEquals(49, second.largest());
    // only what is above 38, which the first ACK covered: 45-49 and 40-43
    assertArrayEquals(new long[] {45, 49, 40, 43}, second.ranges());

    r.ackAcknowledged(20); // an older ACK's acknowledgement arriving late changes nothing
    assertArrayEquals(new long[] {45, 49, 40, 43}, writeAck().ranges());
    r.ackAcknowledged(49);
    assertArrayEquals(new long[] {45, 49}, writeAck().ranges(), "the newest range always stays");
  }

  @Test
  void onlyPacketsThatAskForAcknowledgementMakeNews() {
    assertFalse(r.ackHasNews());
    r.onPacket(0, false); // an ACK-only packet of the peer's
    assertFalse(r.ackHasNews(), "an ACK of an ACK tells the peer nothing");
    r.onPacket(1, true);
    assertTrue(r.ackHasNews());
    writeAck();
    assertFalse(r.ackHasNews());
    r.onPacket(2, false);
    assertFalse(r.ackHasNews());
  }
}
