package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FrameCodecTest {
  private static final String GOLDEN = "d2030100010203040a0b0c0d0e0f1011";

  private static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
  }

  /** The golden header with byte {@code index} replaced by {@code value}. */
  private static ByteBuf goldenWith(int index, int value) {
    ByteBuf b = hex(GOLDEN);
    b.setByte(index, value);
    return b;
  }

  @Test
  void writeHeaderGoldenBytes() {
    ByteBuf out = Unpooled.buffer();
    FrameCodec.writeHeader(out, FrameType.DATA, 0x01, 0x01020304, 0x0A0B0C0D0E0F1011L);
    assertEquals(GOLDEN, ByteBufUtil.hexDump(out));
    assertEquals(FrameCodec.HEADER_BYTES, out.readableBytes());
  }

  @Test
  void checkAcceptsGoldenHeaderAndReadsFields() {
    ByteBuf in = hex(GOLDEN);
    assertEquals(FrameType.DATA, FrameCodec.check(in));
    assertEquals(0x01, FrameCodec.flags(in));
    assertEquals(0x01020304, FrameCodec.sessionId(in));
    assertEquals(0x0A0B0C0D0E0F1011L, FrameCodec.packetNumber(in));
    assertEquals(0, in.readerIndex(), "check must not move the reader index");
  }

  @Test
  void accessorsAreRelativeToReaderIndex() {
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(new byte[] {0x55, 0x66, 0x77});
    FrameCodec.writeHeader(in, FrameType.PONG, 0xFF, -2, -3L);
    in.writeByte(0x42); // payload
    in.skipBytes(3);
    assertEquals(FrameType.PONG, FrameCodec.check(in));
    assertEquals(0xFF, FrameCodec.flags(in));
    assertEquals(-2, FrameCodec.sessionId(in));
    assertEquals(-3L, FrameCodec.packetNumber(in));
    assertEquals(3, in.readerIndex());
  }

  @Test
  void checkAcceptsLongerDatagram() {
    ByteBuf in = Unpooled.buffer();
    FrameCodec.writeHeader(in, FrameType.HELLO, 0, 0, 0);
    in.writeZero(100);
    assertEquals(FrameType.HELLO, FrameCodec.check(in));
  }

  @Test
  void checkRejectsEveryLengthBelowHeader() {
    byte[] golden = ByteBufUtil.decodeHexDump(GOLDEN);
    for (int len = 0; len < FrameCodec.HEADER_BYTES; len++) {
      ByteBuf in = Unpooled.wrappedBuffer(golden, 0, len);
      assertThrows(WireException.class, () -> FrameCodec.check(in), "length " + len);
    }
  }

  @Test
  void checkRejectsWrongMarkerNibble() {
    for (int b0 : new int[] {0x01, 0x11, 0xC1, 0xE1, 0xF1, 0x51}) {
      assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(0, b0)), "byte0 " + b0);
    }
  }

  @Test
  void checkRejectsOtherVersions() {
    assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(0, 0xD1)));
    assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(0, 0xD0)));
    assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(0, 0xDF)));
  }

  @Test
  void checkRejectsUnknownType() {
    for (int t : new int[] {0x00, 0x0D, 0x19, 0x7F, 0xFF}) {
      assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(1, t)), "type " + t);
    }
  }

  @Test
  void checkRejectsNonZeroReservedByte() {
    for (int r : new int[] {0x01, 0x80, 0xFF}) {
      assertThrows(WireException.class, () -> FrameCodec.check(goldenWith(3, r)), "reserved " + r);
    }
  }

  @Test
  void everyKnownTypeByteIsAccepted() {
    for (FrameType t : FrameType.values()) {
      assertEquals(t, FrameCodec.check(goldenWith(1, t.code())));
    }
  }

  @Test
  void randomRoundTrip() {
    Random rnd = new Random(0x5EED);
    FrameType[] types = FrameType.values();
    for (int i = 0; i < 1000; i++) {
      FrameType type = types[rnd.nextInt(types.length)];
      int flags = rnd.nextInt(256);
      int sid = rnd.nextInt();
      long pn = rnd.nextLong();
      ByteBuf buf = Unpooled.buffer();
      FrameCodec.writeHeader(buf, type, flags, sid, pn);
      assertEquals(FrameCodec.HEADER_BYTES, buf.readableBytes());
      assertEquals(type, FrameCodec.check(buf));
      assertEquals(flags, FrameCodec.flags(buf));
      assertEquals(sid, FrameCodec.sessionId(buf));
      assertEquals(pn, FrameCodec.packetNumber(buf));
      assertEquals(0, buf.readerIndex());
    }
  }
}
