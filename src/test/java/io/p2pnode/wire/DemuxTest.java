package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemuxTest {
  /** A 20-byte STUN Binding request without attributes. */
  private static final String BINDING_REQUEST = "000100002112a442" + "0102030405060708090a0b0c";

  private static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
  }

  @Test
  void stunBindingRequestIsStun() {
    assertEquals(PacketKind.STUN, Demux.classify(hex(BINDING_REQUEST)));
  }

  @Test
  void stunFromCodecIsStun() {
    ByteBuf b = Unpooled.buffer();
    StunCodec.writeBindingRequest(b, new byte[12]);
    assertEquals(PacketKind.STUN, Demux.classify(b));
  }

  @Test
  void stunShorterThanHeaderIsGarbage() {
    assertEquals(PacketKind.GARBAGE, Demux.classify(hex(BINDING_REQUEST.substring(0, 38))));
  }

  @Test
  void zeroFirstByteWithoutCookieIsGarbage() {
    assertEquals(PacketKind.GARBAGE, Demux.classify(hex("00010000" + "2112a443" + "0102030405060708090a0b0c")));
    assertEquals(PacketKind.GARBAGE, Demux.classify(Unpooled.wrappedBuffer(new byte[20])));
  }

  @Test
  void frameWithFullHeaderIsFrame() {
    assertEquals(PacketKind.FRAME, Demux.classify(hex("d1" + "00".repeat(16))));
    assertEquals(PacketKind.FRAME, Demux.classify(hex("d1" + "00".repeat(15))));
  }

  @Test
  void futureVersionIsStillFrame() {
    assertEquals(PacketKind.FRAME, Demux.classify(hex("d2" + "00".repeat(15))));
  }

  @Test
  void shortFrameIsGarbage() {
    assertEquals(PacketKind.GARBAGE, Demux.classify(hex("d103000000")));        // 5 bytes
    assertEquals(PacketKind.GARBAGE, Demux.classify(hex("d1" + "00".repeat(5)))); // 0xD1 + 5 bytes
    assertEquals(PacketKind.GARBAGE, Demux.classify(hex("d1" + "00".repeat(14))));
  }

  @Test
  void emptyIsGarbage() {
    assertEquals(PacketKind.GARBAGE, Demux.classify(Unpooled.EMPTY_BUFFER));
  }

  @Test
  void tlsAndOtherFirstBytesAreGarbage() {
    for (int b0 : new int[] {0x04, 0x14, 0x16, 0x17, 0x40, 0x80, 0xC1, 0xE1, 0xFF}) {
      ByteBuf b = Unpooled.buffer();
      b.writeByte(b0);
      b.writeBytes(ByteBufUtil.decodeHexDump("00002112a442" + "00".repeat(30)));
      assertEquals(PacketKind.GARBAGE, Demux.classify(b), "first byte " + b0);
    }
  }

  @Test
  void classifyDoesNotMoveIndices() {
    ByteBuf b = hex(BINDING_REQUEST);
    Demux.classify(b);
    assertEquals(0, b.readerIndex());
    assertEquals(20, b.writerIndex());
    ByteBuf f = hex("d1" + "00".repeat(20));
    Demux.classify(f);
    assertEquals(0, f.readerIndex());
    assertEquals(21, f.writerIndex());
  }

  @Test
  void classifyIsRelativeToReaderIndex() {
    ByteBuf b = hex("ffff" + BINDING_REQUEST);
    b.skipBytes(2);
    assertEquals(PacketKind.STUN, Demux.classify(b));
    ByteBuf f = hex("0001" + "d1" + "00".repeat(15));
    f.skipBytes(2);
    assertEquals(PacketKind.FRAME, Demux.classify(f));
    f.skipBytes(1);
    assertEquals(PacketKind.GARBAGE, Demux.classify(f));
  }

  @Test
  void randomBytesNeverThrow() {
    Random rnd = new Random(42);
    int[] counts = new int[PacketKind.values().length];
    for (int i = 0; i < 10_000; i++) {
      byte[] bytes = new byte[rnd.nextInt(101)];
      rnd.nextBytes(bytes);
      PacketKind k = Demux.classify(Unpooled.wrappedBuffer(bytes));
      assertNotNull(k);
      counts[k.ordinal()]++;
    }
    // one in 16 random first bytes is in 0xD0..0xDF, so frames must show up; random STUN cookies must not
    assertEquals(0, counts[PacketKind.STUN.ordinal()]);
    assertTrue(counts[PacketKind.FRAME.ordinal()] > 0);
    assertTrue(counts[PacketKind.GARBAGE.ordinal()] > 0);
  }
}
