package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Hello;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import io.p2pnode.wire.ControlMessage.Unregister;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ControlMessageTest {
  private static final String CONTROL_HEADER = "d2" + "%02x" + "0000" + "00000000" + "0000000000000000";

  private static String encodeHex(ControlMessage m, int sid) {
    ByteBuf b = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, m, sid);
    try {
      return ByteBufUtil.hexDump(b);
    } finally {
      b.release();
    }
  }

  /** The payload bytes (no header) of {@code m}. */
  private static byte[] payload(ControlMessage m) {
    ByteBuf b = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, m, 0);
    try {
      b.skipBytes(FrameCodec.HEADER_BYTES);
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  private static ControlMessage decode(FrameType type, byte[] payload) {
    return ControlMessage.decode(type, Unpooled.wrappedBuffer(payload));
  }

  private static ControlMessage decodeHex(FrameType type, String hex) {
    return decode(type, ByteBufUtil.decodeHexDump(hex));
  }

  private static InetSocketAddress ep(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  // ---------------------------------------------------------------- golden bytes

  /** The key 00 01 02 ... 1f. */
  static final String KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final PeerKey KEY = PeerKey.of(java.util.HexFormat.of().parseHex(KEY_HEX));

  @Test
  void registerChallengeGoldenBytes() {
    ControlMessage.RegisterChallenge c = new ControlMessage.RegisterChallenge(9, KEY, new Bits128(1L, 2L));
    String expected = "d2180000" + "00000000" + "0000000000000000"
      + "00000009" + KEY_HEX + "0000000000000001" + "0000000000000002";
    assertEquals(expected, encodeHex(c, 0));
    assertEquals(c, decodeHex(FrameType.REGISTER_CHALLENGE, expected.substring(32)));
  }

  @Test
  void introduceGoldenBytes() {
    Introduce i = new Introduce(7, 0x0102030405060708L, io.p2pnode.wire.NatType.ENDPOINT_INDEPENDENT, "b", KEY, ep("127.0.0.1", 7700),
      List.of(), ep("127.0.0.2", 7701), 7702);
    String expected = "d2130000" + "00000000" + "0000000000000000"
      + "00000007" + "0102030405060708" + "02" + "0162" + KEY_HEX + "04" + "1e14" + "7f000001" + "00"
      + "04" + "1e15" + "7f000002" + "1e16";
    assertEquals(expected, encodeHex(i, 0));
    assertEquals(i, decodeHex(FrameType.INTRODUCE, expected.substring(32)));
  }

  /** IPv6 endpoints: family 6, port, 16 address bytes; in the public, private and TCP fields alike. */
  @Test
  void introduceWithIpv6EndpointsGoldenBytes() {
    Introduce i = new Introduce(7, 0x0102030405060708L, io.p2pnode.wire.NatType.NONE, "b", KEY, ep("2001:db8::100", 7700),
      List.of(ep("2001:db8:b::10", 7700), ep("192.168.1.10", 7700)), ep("::1", 7701), 7702);
    String expected = "d2130000" + "00000000" + "0000000000000000"
      + "00000007" + "0102030405060708" + "01" + "0162" + KEY_HEX
      + "06" + "1e14" + "20010db8000000000000000000000100"
      + "02" + "06" + "1e14" + "20010db8000b00000000000000000010" + "04" + "1e14" + "c0a8010a"
      + "06" + "1e15" + "00000000000000000000000000000001" + "1e16";
    assertEquals(expected, encodeHex(i, 0));
    assertEquals(i, decodeHex(FrameType.INTRODUCE, expected.substring(32)));
  }

  @Test
  void registerAckWithIpv6ObservedGoldenBytes() {
    RegisterAck a = new RegisterAck(5, ep("2001:db8:a::10", 40000), 30_000, 7703);
    String expected = "d2110000" + "00000000" + "0000000000000000"
      + "00000005" + "06" + "9c40" + "20010db8000a00000000000000000010" + "00007530" + "1e17";
    assertEquals(expected, encodeHex(a, 0));
    assertEquals(a, decodeHex(FrameType.REGISTER_ACK, expected.substring(32)));
  }

  /** An IPv4-mapped IPv6 address goes on the wire as the IPv4 address (family 4), which is what decodes. */
  @Test
  void ipv4MappedEndpointIsWrittenAsIpv4() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 7};
    InetSocketAddress m = new InetSocketAddress(java.net.Inet6Address.getByAddress(null, mapped, -1), 7700);
    RegisterAck a = new RegisterAck(5, m, 30_000, 0);
    String expected = "d2110000" + "00000000" + "0000000000000000" + "00000005" + "04" + "1e14" + "cb007107" + "00007530" + "0000";
    assertEquals(expected, encodeHex(a, 0));
    assertEquals(new RegisterAck(5, ep("203.0.113.7", 7700), 30_000, 0), decodeHex(FrameType.REGISTER_ACK, expected.substring(32)));
  }

  /** A family byte other than 4 and 6, or an IPv6 address cut short, is rejected. */
  @Test
  void badOrTruncatedIpv6EndpointIsRejected() {
    String head = "00000005";
    assertThrows(WireException.class, () -> decodeHex(FrameType.REGISTER_ACK, head + "05" + "1e14" + "20010db8000a0000" + "00007530" + "0000"));
    assertThrows(WireException.class, () -> decodeHex(FrameType.REGISTER_ACK, head + "06" + "1e14" + "20010db8000a0000"));
  }

  @Test
  void registerGoldenBytes() {
    Register r = new Register(1, io.p2pnode.wire.NatType.ENDPOINT_DEPENDENT, "a", KEY, List.of(ep("127.0.0.1", 7700)), 7701,
      new Bits128(0x1112131415161718L, 0x191a1b1c1d1e1f20L), new Bits128(-1L, 2L));
    String expected = "d2100000" + "00000000" + "0000000000000000"
      + "00000001" + "03" + "0161" + KEY_HEX + "01" + "04" + "1e14" + "7f000001" + "1e15"
      + "1112131415161718191a1b1c1d1e1f20" + "ffffffffffffffff0000000000000002";
    assertEquals(expected, encodeHex(r, 0));
    assertEquals(r, decodeHex(FrameType.REGISTER, expected.substring(32)));
  }

  @Test
  void helloGoldenBytes() {
    Hello h = new Hello(false, 0x0102030405060708L, "a", 0x0A0B0C0D, 0x1122334455667788L, Opaque.of(new byte[] {(byte) 0xEE, 0x01}));
    String expected = "d2010000" + "00000000" + "0000000000000000"
      + "0102030405060708" + "0161" + "0a0b0c0d" + "1122334455667788" + "0002" + "ee01";
    assertEquals(expected, encodeHex(h, 0));
    assertEquals(h, decodeHex(FrameType.HELLO, expected.substring(32)));
  }

  @Test
  void helloAckGoldenBytesDifferOnlyInType() {
    Hello h = new Hello(true, 0x0102030405060708L, "a", 0x0A0B0C0D, 0x1122334455667788L);
    String expected = "d2020000" + "00000000" + "0000000000000000"
      + "0102030405060708" + "0161" + "0a0b0c0d" + "1122334455667788" + "0000"; // no handshake message
    assertEquals(expected, encodeHex(h, 0));
    assertEquals(h, decodeHex(FrameType.HELLO_ACK, expected.substring(32)));
  }

  @Test
  void registerAckGoldenBytesWithIpv6() {
    RegisterAck a = new RegisterAck(0x7FFFFFFF, ep("2001:db8::1", 443), 0xFFFFFFFFL, 7701);
    String expected = String.format(CONTROL_HEADER, 0x11)
      + "7fffffff" + "06" + "01bb" + "20010db8000000000000000000000001" + "ffffffff" + "1e15";
    assertEquals(expected, encodeHex(a, 0));
    assertEquals(a, decodeHex(FrameType.REGISTER_ACK, expected.substring(32)));
  }

  @Test
  void connectFailAndUnregisterGoldenBytes() {
    assertEquals(String.format(CONTROL_HEADER, 0x14) + "00000002" + "0194" + "026e6f",
      encodeHex(new ConnectFail(2, 404, "no"), 0));
    assertEquals(String.format(CONTROL_HEADER, 0x15) + "03" + "c3a978",
      encodeHex(new Unregister("\u00e9x"), 0));
  }

  @Test
  void receiverSessionIdGoesIntoHeader() {
    String hex = encodeHex(new Unregister("a"), 0x01020304);
    assertEquals("d2150000" + "01020304" + "0000000000000000" + "0161", hex);
  }

  // ---------------------------------------------------------------- random round trips

  private static final String ALPHABET = "abcXYZ019-_.:\u00e9\u00fc\u4e2d\u6587";

  private static String randomString(Random rnd, int minLen, int maxLen) {
    int len = minLen + rnd.nextInt(maxLen - minLen + 1);
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      if (rnd.nextInt(20) == 0 && sb.length() + 2 <= len) {
        sb.appendCodePoint(0x1F600 + rnd.nextInt(50)); // a surrogate pair, 4 UTF-8 bytes
        i++;
      } else {
        sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
      }
    }
    return sb.toString();
  }

  private static String randomPeerId(Random rnd) {
    return randomString(rnd, 1, 64);
  }

  private static InetSocketAddress randomEndpoint(Random rnd) {
    byte[] addr = new byte[rnd.nextBoolean() ? 4 : 16];
    rnd.nextBytes(addr);
    if (addr.length == 16) addr[0] = 0x20; // never an IPv4-mapped address
    try {
      return new InetSocketAddress(InetAddress.getByAddress(addr), rnd.nextInt(65536));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static List<InetSocketAddress> randomEndpoints(Random rnd) {
    int n = rnd.nextInt(WireBuf.MAX_ENDPOINTS + 1);
    List<InetSocketAddress> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) list.add(randomEndpoint(rnd));
    return List.copyOf(list);
  }

  private static ControlMessage randomMessage(Random rnd, int kind) {
    return switch (kind) {
      case 0 -> new Register(rnd.nextInt(), io.p2pnode.wire.NatType.values()[rnd.nextInt(4)], randomPeerId(rnd), randomKey(rnd),
        randomEndpoints(rnd), rnd.nextInt(65536), new Bits128(rnd.nextLong(), rnd.nextLong()), new Bits128(rnd.nextLong(), rnd.nextLong()));
      case 1 -> new RegisterAck(rnd.nextInt(), randomEndpoint(rnd), rnd.nextLong() & 0xFFFFFFFFL, rnd.nextInt(65536));
      case 2 -> new Connect(rnd.nextInt(), randomPeerId(rnd), randomPeerId(rnd));
      case 3 -> new Introduce(rnd.nextInt(), rnd.nextLong(), io.p2pnode.wire.NatType.values()[rnd.nextInt(4)], randomPeerId(rnd), randomKey(rnd), randomEndpoint(rnd), randomEndpoints(rnd),
        randomEndpoint(rnd), rnd.nextInt(65536));
      case 4 -> new ConnectFail(rnd.nextInt(), rnd.nextInt(65536), randomString(rnd, 0, 60));
      case 5 -> new Unregister(randomPeerId(rnd));
      case 6 -> new Hello(false, rnd.nextLong(), randomPeerId(rnd), rnd.nextInt(), rnd.nextLong(), randomOpaque(rnd));
      case 7 -> new Hello(true, rnd.nextLong(), randomPeerId(rnd), rnd.nextInt(), rnd.nextLong());
      case 8 -> new ControlMessage.RegisterChallenge(rnd.nextInt(), randomKey(rnd), new Bits128(rnd.nextLong(), rnd.nextLong()));
      default -> throw new IllegalArgumentException();
    };
  }

  private static Opaque randomOpaque(Random rnd) {
    byte[] b = new byte[rnd.nextInt(200)];
    rnd.nextBytes(b);
    return Opaque.of(b);
  }

  private static PeerKey randomKey(Random rnd) {
    byte[] k = new byte[PeerKey.BYTES];
    rnd.nextBytes(k);
    return PeerKey.of(k);
  }

  private static final int KINDS = 9;

  @Test
  void randomRoundTripOfEveryRecordType() {
    Random rnd = new Random(7);
    for (int kind = 0; kind < KINDS; kind++) {
      for (int i = 0; i < 300; i++) {
        ControlMessage m = randomMessage(rnd, kind);
        int sid = rnd.nextInt();
        ByteBuf b = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, m, sid);
        try {
          assertEquals(m.type(), FrameCodec.check(b));
          assertEquals(sid, FrameCodec.sessionId(b));
          assertEquals(0L, FrameCodec.packetNumber(b));
          assertEquals(0, FrameCodec.flags(b));
          b.skipBytes(FrameCodec.HEADER_BYTES);
          assertEquals(m, ControlMessage.decode(m.type(), b));
          assertEquals(0, b.readableBytes());
        } finally {
          b.release();
        }
      }
    }
  }

  @Test
  void everyTruncationIsRejected() {
    Random rnd = new Random(11);
    for (int kind = 0; kind < KINDS; kind++) {
      for (int i = 0; i < 20; i++) {
        ControlMessage m = randomMessage(rnd, kind);
        byte[] full = payload(m);
        for (int len = 0; len < full.length; len++) {
          ByteBuf prefix = Unpooled.wrappedBuffer(full, 0, len);
          assertThrows(WireException.class, () -> ControlMessage.decode(m.type(), prefix),
            m.type() + " prefix " + len + " of " + full.length);
        }
      }
    }
  }

  @Test
  void trailingBytesAreRejected() {
    Random rnd = new Random(13);
    for (int kind = 0; kind < KINDS; kind++) {
      ControlMessage m = randomMessage(rnd, kind);
      ByteBuf b = Unpooled.buffer();
      b.writeBytes(payload(m));
      b.writeByte(0);
      assertThrows(WireException.class, () -> ControlMessage.decode(m.type(), b), m.type().toString());
    }
  }

  @Test
  void emptyPeerIdIsRejected() {
    // the encoder does not validate, so it produces what a hostile sender could send
    assertThrows(WireException.class,
      () -> decode(FrameType.REGISTER, payload(new Register(1, io.p2pnode.wire.NatType.UNKNOWN, "", io.p2pnode.TestKeys.of(""), List.of()))));
    assertThrows(WireException.class, () -> decode(FrameType.UNREGISTER, payload(new Unregister(""))));
    assertThrows(WireException.class, () -> decode(FrameType.CONNECT, payload(new Connect(1, "a", ""))));
    assertThrows(WireException.class, () -> decode(FrameType.HELLO, payload(new Hello(false, 1, "", 1, 1))));
  }

  @Test
  void peerIdLongerThan64IsRejected() {
    assertEquals(new Unregister("x".repeat(64)), decode(FrameType.UNREGISTER, payload(new Unregister("x".repeat(64)))));
    assertThrows(WireException.class, () -> decode(FrameType.UNREGISTER, payload(new Unregister("x".repeat(65)))));
  }

  @Test
  void emptyConnectFailReasonIsAccepted() {
    ConnectFail f = new ConnectFail(3, 500, "");
    assertEquals(f, decode(FrameType.CONNECT_FAIL, payload(f)));
  }

  @Test
  void longAsciiConnectFailReasonIsCutTo255Bytes() {
    ConnectFail f = new ConnectFail(3, 500, "r".repeat(300));
    assertEquals(new ConnectFail(3, 500, "r".repeat(255)), decode(FrameType.CONNECT_FAIL, payload(f)));
  }

  @Test
  void endpointCountAboveMaxIsRejected() {
    ByteBuf b = Unpooled.buffer();
    b.writeInt(1);
    b.writeBytes(ByteBufUtil.decodeHexDump("0161"));
    b.writeByte(WireBuf.MAX_ENDPOINTS + 1);
    for (int i = 0; i <= WireBuf.MAX_ENDPOINTS; i++) b.writeBytes(ByteBufUtil.decodeHexDump("041e147f000001"));
    assertThrows(WireException.class, () -> ControlMessage.decode(FrameType.REGISTER, b));
  }

  @Test
  void endpointCountAtMaxIsAccepted() {
    List<InetSocketAddress> eps = new ArrayList<>();
    for (int i = 0; i < WireBuf.MAX_ENDPOINTS; i++) eps.add(ep("10.0.0." + i, 1000 + i));
    Register r = new Register(1, io.p2pnode.wire.NatType.UNKNOWN, "a", io.p2pnode.TestKeys.of("a"), List.copyOf(eps));
    assertEquals(r, decode(FrameType.REGISTER, payload(r)));
  }

  @Test
  void badAddressFamilyIsRejected() {
    for (int family : new int[] {0, 1, 2, 5, 0xFF}) {
      String hex = "00000001" + "0161" + "01" + String.format("%02x", family) + "1e14" + "7f000001" + "00".repeat(12);
      assertThrows(WireException.class, () -> decodeHex(FrameType.REGISTER, hex), "family " + family);
    }
    // REGISTER_ACK's single endpoint too
    assertThrows(WireException.class, () -> decodeHex(FrameType.REGISTER_ACK, "00000001" + "07" + "1e14" + "7f000001" + "00000001"));
  }

  @Test
  void nonControlTypesAreRejected() {
    byte[] p = payload(new Register(1, io.p2pnode.wire.NatType.UNKNOWN, "a", io.p2pnode.TestKeys.of("a"), List.of()));
    for (FrameType t : FrameType.values()) {
      if (t.isControl()) continue;
      assertThrows(WireException.class, () -> decode(t, p), t.toString());
    }
    assertThrows(WireException.class, () -> decode(FrameType.DATA, p));
  }

  @Test
  void ttlIsReadAsUnsigned() {
    RegisterAck a = new RegisterAck(1, ep("127.0.0.1", 1), 0x80000000L, 0);
    assertEquals(a, decode(FrameType.REGISTER_ACK, payload(a)));
  }
  @Test
  void longConnectFailReasonIsCutOnACodePointBoundary() {
    String reason = "\u00e9".repeat(150) + "\ud83d\ude00";
    io.netty.buffer.ByteBuf b = ControlMessage.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
      new ControlMessage.ConnectFail(1, 404, reason), 0);
    b.skipBytes(FrameCodec.HEADER_BYTES);
    ControlMessage.ConnectFail f = (ControlMessage.ConnectFail) ControlMessage.decode(FrameType.CONNECT_FAIL, b);
    assertEquals("\u00e9".repeat(127), f.reason());
  }

  @Test
  void probeMessagesRoundTrip() {
    for (ControlMessage m : List.of(new ControlMessage.ProbeAsk(7, 20_000), new ControlMessage.ProbeEcho(-3))) {
      io.netty.buffer.ByteBuf b = ControlMessage.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, m, 0);
      b.skipBytes(FrameCodec.HEADER_BYTES);
      assertEquals(m, ControlMessage.decode(m.type(), b));
    }
  }
}
