package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.p2pnode.wire.StunCodec.StunMessage;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StunCodecTest {
  /** RFC 5769 §2.2, sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT). */
  private static final String RFC5769_IPV4_RESPONSE =
    "0101003c" + "2112a442" + "b7e7a701" + "bc34d686" + "fa87dfae"
      + "8022000b" + "74657374" + "20766563" + "746f7220"
      + "00200008" + "0001a147" + "e112a643"
      + "00080014" + "2b91f599" + "fd9e90c3" + "8c7489f9" + "2af9ba53" + "f06be7d7"
      + "80280004" + "c07d4c96";

  private static final byte[] TX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  /** writeBindingSuccess(TX, 192.0.2.1:32853), checked by hand against RFC 8489 §14. */
  private static final String GOLDEN_SUCCESS =
    "0101002c" + "2112a442" + "0102030405060708090a0b0c"        // header, length 44
      + "00200008" + "0001" + "a147" + "e112a643"                   // XOR-MAPPED-ADDRESS: 32853^0x2112, 192.0.2.1^cookie
      + "00010008" + "0001" + "8055" + "c0000201"                   // MAPPED-ADDRESS: 32853, 192.0.2.1
      + "80220008" + "7032702d6e6f6465"                             // SOFTWARE "p2p-node" (no padding)
      + "80280004" + "4d62cf30";                                    // FINGERPRINT (CRC-32 ^ 0x5354554e)

  private static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
  }

  private static byte[] success(byte[] tx, InetSocketAddress a) {
    ByteBuf out = Unpooled.buffer();
    StunCodec.writeBindingSuccess(out, tx, a);
    return ByteBufUtil.getBytes(out);
  }

  private static int fingerprint(byte[] msg, int len) {
    CRC32 crc = new CRC32();
    crc.update(msg, 0, len);
    return (int) crc.getValue() ^ 0x5354554e;
  }

  private static void putShort(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  // ---------------------------------------------------------------- known answers

  @Test
  void rfc5769Ipv4ResponseDecodes() {
    ByteBuf in = hex(RFC5769_IPV4_RESPONSE);
    StunMessage m = StunCodec.decode(in);
    assertEquals(StunCodec.BINDING_SUCCESS, m.type());
    assertArrayEquals(ByteBufUtil.decodeHexDump("b7e7a701bc34d686fa87dfae"), m.transactionId());
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), m.mappedAddress());
    assertTrue(m.fingerprint());
    assertEquals(0, in.readerIndex(), "decode must not move the reader index");
  }

  @Test
  void rfc5769ResponseWithFlippedMessageIntegrityByteFailsFingerprint() {
    byte[] b = ByteBufUtil.decodeHexDump(RFC5769_IPV4_RESPONSE);
    b[60] ^= 0x01; // inside MESSAGE-INTEGRITY, covered by the FINGERPRINT
    assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(b)));
  }

  @Test
  void bindingSuccessGoldenBytes() {
    byte[] out = success(TX, new InetSocketAddress("192.0.2.1", 32853));
    assertEquals(GOLDEN_SUCCESS, ByteBufUtil.hexDump(out));
    assertEquals(fingerprint(out, out.length - 8), Unpooled.wrappedBuffer(out).getInt(out.length - 4));
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void bindingRequestRoundTrip() {
    ByteBuf out = Unpooled.buffer();
    StunCodec.writeBindingRequest(out, TX);
    assertEquals("00010008" + "2112a442" + "0102030405060708090a0b0c" + "80280004",
      ByteBufUtil.hexDump(out, 0, 24));
    assertEquals(28, out.readableBytes());
    assertEquals(PacketKind.STUN, Demux.classify(out));
    StunMessage m = StunCodec.decode(out);
    assertEquals(StunCodec.BINDING_REQUEST, m.type());
    assertArrayEquals(TX, m.transactionId());
    assertTrue(m.fingerprint());
    assertNull(m.mappedAddress());
  }

  @Test
  void bindingSuccessRoundTripIpv4() {
    InetSocketAddress a = new InetSocketAddress("203.0.113.5", 4242);
    StunMessage m = StunCodec.decode(Unpooled.wrappedBuffer(success(TX, a)));
    assertEquals(StunCodec.BINDING_SUCCESS, m.type());
    assertArrayEquals(TX, m.transactionId());
    assertEquals(a, m.mappedAddress());
    assertTrue(m.fingerprint());
  }

  @Test
  void bindingSuccessRoundTripIpv6() {
    InetSocketAddress a = new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853);
    byte[] b = success(TX, a);
    assertEquals(20 + 24 + 24 + 12 + 8, b.length);
    StunMessage m = StunCodec.decode(Unpooled.wrappedBuffer(b));
    assertEquals(a, m.mappedAddress());
    assertTrue(m.fingerprint());
  }

  @Test
  void xorMappedAddressWinsOverMappedAddress() {
    // MAPPED-ADDRESS rewritten to 10.0.0.1 (and FINGERPRINT recomputed): the XOR address is reported
    byte[] b = ByteBufUtil.decodeHexDump(GOLDEN_SUCCESS);
    b[40] = 10; b[41] = 0; b[42] = 0; b[43] = 1;
    Unpooled.wrappedBuffer(b).setInt(b.length - 4, fingerprint(b, b.length - 8));
    assertEquals(new InetSocketAddress("192.0.2.1", 32853), StunCodec.decode(Unpooled.wrappedBuffer(b)).mappedAddress());
  }

  @Test
  void randomRoundTrips() {
    Random rnd = new Random(3);
    for (int i = 0; i < 1000; i++) {
      byte[] tx = new byte[12];
      rnd.nextBytes(tx);
      byte[] addr = new byte[rnd.nextBoolean() ? 4 : 16];
      rnd.nextBytes(addr);
      if (addr.length == 16) addr[0] = 0x20;
      InetSocketAddress a;
      try {
        a = new InetSocketAddress(java.net.InetAddress.getByAddress(addr), rnd.nextInt(65536));
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
      StunMessage m = StunCodec.decode(Unpooled.wrappedBuffer(success(tx, a)));
      assertEquals(a, m.mappedAddress());
      assertArrayEquals(tx, m.transactionId());
    }
  }

  @Test
  void messageWithoutFingerprintIsAccepted() {
    byte[] b = ByteBufUtil.decodeHexDump("000100002112a442" + "0102030405060708090a0b0c");
    StunMessage m = StunCodec.decode(Unpooled.wrappedBuffer(b));
    assertEquals(StunCodec.BINDING_REQUEST, m.type());
    assertFalse(m.fingerprint());
    assertNull(m.mappedAddress());
  }

  // ---------------------------------------------------------------- rejections

  @Test
  void flippedFingerprintBitIsRejected() {
    for (int bit = 0; bit < 32; bit++) {
      byte[] b = ByteBufUtil.decodeHexDump(GOLDEN_SUCCESS);
      b[b.length - 1 - bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(b)), "bit " + bit);
    }
  }

  @Test
  void lengthFieldMismatchIsRejected() {
    for (int len : new int[] {0, 40, 42, 48, 0xFFFC}) {
      byte[] b = ByteBufUtil.decodeHexDump(GOLDEN_SUCCESS);
      putShort(b, 2, len);
      assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(b)), "length " + len);
    }
  }

  @Test
  void lengthNotMultipleOfFourIsRejected() {
    // 21 bytes with a length field of 1 that matches the datagram
    assertThrows(WireException.class,
      () -> StunCodec.decode(hex("000100012112a442" + "0102030405060708090a0b0c" + "00")));
  }

  @Test
  void attributeOverrunningMessageIsRejected() {
    // length 8: one attribute header claiming 8 bytes of value, but only 4 follow
    WireException e = assertThrows(WireException.class, () -> StunCodec.decode(
      hex("000100082112a442" + "0102030405060708090a0b0c" + "80220008" + "61626364")));
    assertTrue(e.getMessage().contains("overrun"), e.getMessage());
  }

  @Test
  void attributeAfterFingerprintIsRejected() {
    // a Binding request, then SOFTWARE "abcd" after its FINGERPRINT; length and FINGERPRINT match
    byte[] b = ByteBufUtil.decodeHexDump("000100102112a442" + "0102030405060708090a0b0c"
      + "80280004" + "00000000" + "80220004" + "61626364");
    Unpooled.wrappedBuffer(b).setInt(24, fingerprint(b, 20));
    WireException e = assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(b)));
    assertTrue(e.getMessage().contains("after FINGERPRINT"), e.getMessage());
  }

  @Test
  void badFingerprintLengthIsRejected() {
    assertThrows(WireException.class, () -> StunCodec.decode(
      hex("000100082112a442" + "0102030405060708090a0b0c" + "80280002" + "00000000")));
  }

  @Test
  void headerErrorsAreRejected() {
    // top bits of the type set
    byte[] top = ByteBufUtil.decodeHexDump(GOLDEN_SUCCESS);
    top[0] |= (byte) 0x40;
    assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(top)));
    // wrong magic cookie (RFC 3489 style)
    byte[] cookie = ByteBufUtil.decodeHexDump(GOLDEN_SUCCESS);
    cookie[7] ^= 1;
    assertThrows(WireException.class, () -> StunCodec.decode(Unpooled.wrappedBuffer(cookie)));
  }

  @Test
  void badAddressAttributesAreRejected() {
    String head = "010100102112a442" + "0102030405060708090a0b0c";
    // family 3
    assertThrows(WireException.class, () -> StunCodec.decode(hex(head + "00200008" + "0003a147" + "e112a643" + "00000000")));
    // IPv4 family with an IPv6 length
    assertThrows(WireException.class, () -> StunCodec.decode(hex(head + "0001000c" + "00018055" + "c0000201" + "00000000")));
    // too short to hold family and port
    assertThrows(WireException.class, () -> StunCodec.decode(hex(head + "00010002" + "00010000" + "00000000" + "00000000")));
  }

  @Test
  void everyTruncationIsRejected() {
    for (String msg : new String[] {GOLDEN_SUCCESS, RFC5769_IPV4_RESPONSE}) {
      byte[] full = ByteBufUtil.decodeHexDump(msg);
      for (int len = 0; len < full.length; len++) {
        ByteBuf in = Unpooled.wrappedBuffer(full, 0, len);
        assertThrows(WireException.class, () -> StunCodec.decode(in), "prefix " + len);
      }
    }
  }

  @Test
  void randomMutationsThrowOnlyWireException() {
    Random rnd = new Random(99);
    byte[] valid = success(TX, new InetSocketAddress("2001:db8::5", 4242));
    // the same response without FINGERPRINT, so mutations reach the attribute parser unchecked
    byte[] noFp = java.util.Arrays.copyOf(valid, valid.length - 8);
    putShort(noFp, 2, noFp.length - 20);
    StunCodec.decode(Unpooled.wrappedBuffer(noFp));
    int rejected = 0;
    int accepted = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] b = (i % 2 == 0 ? valid : noFp).clone();
      int flips = 1 + rnd.nextInt(4);
      for (int f = 0; f < flips; f++) b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
      try {
        StunCodec.decode(Unpooled.wrappedBuffer(b));
        accepted++;
      } catch (WireException e) {
        rejected++;
      }
    }
    assertEquals(10_000, rejected + accepted);
    assertTrue(rejected > 5_000, "most mutations of a fingerprinted message must be rejected: " + rejected);
    assertTrue(accepted > 0, "mutations inside address values of the unfingerprinted message decode");
  }
}
