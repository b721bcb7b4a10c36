package io.p2pnode.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.StunCodec;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;

/**
 * Hostile datagrams, reproducible from a seed: random bytes; valid frames of every kind (control
 * messages, session frames with random session ids, STUN) sent as they are, with flipped bits,
 * truncated, padded past the datagram limit or with a wrong version; and replays of the
 * previous datagram.
 */
final class DatagramFuzzer {
  /** The kinds of datagram, for the counts a test prints. */
  enum Kind { RANDOM, VALID, FLIPPED, TRUNCATED, OVERSIZED, WRONG_VERSION, REPLAYED }

  private static final FrameType[] TYPES = FrameType.values();
  private final Random random;
  private byte[] previous = new byte[0];
  final long[] counts = new long[Kind.values().length];

  DatagramFuzzer(long seed) {
    random = new Random(seed);
  }

  /** The next datagram. */
  byte[] next() {
    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
    counts[kind.ordinal()]++;
    byte[] d = switch (kind) {
      case RANDOM -> bytes(random.nextInt(1500));
      case VALID -> valid();
      case FLIPPED -> flip(valid());
      case TRUNCATED -> truncate(valid());
      case OVERSIZED -> oversize(valid());
      case WRONG_VERSION -> wrongVersion(valid());
      case REPLAYED -> previous;
    };
    previous = d;
    return d;
  }

  private byte[] valid() {
    return switch (random.nextInt(9)) {
      case 0 -> ControlMessage.toBytes(new ControlMessage.Register(random.nextInt(), NatType.of(random.nextInt(4)), id(), io.p2pnode.wire.PeerKey.of(bytes(32)),
        List.of(new InetSocketAddress("192.168.1." + random.nextInt(255), 1 + random.nextInt(65535)))));
      case 1 -> ControlMessage.toBytes(new ControlMessage.Connect(random.nextInt(), id(), random.nextBoolean() ? "bob" : id()));
      case 2 -> ControlMessage.toBytes(new ControlMessage.Relay(id(), random.nextBoolean() ? "bob" : id(), bytes(random.nextInt(1100))));
      case 3 -> ControlMessage.toBytes(new ControlMessage.ProbeAsk(random.nextInt(), random.nextInt(5_000)));
      case 4 -> ControlMessage.toBytes(new ControlMessage.Unregister(id()));
      case 5 -> ControlMessage.toBytes(new ControlMessage.Hello(random.nextBoolean(), random.nextLong(), id(), random.nextInt(), random.nextLong()));
      case 6 -> ControlMessage.toBytes(new ControlMessage.Introduce(random.nextInt(), random.nextLong(), NatType.of(random.nextInt(4)), id(), io.p2pnode.wire.PeerKey.of(bytes(32)),
        new InetSocketAddress("127.0.0.1", 1 + random.nextInt(65535)), List.of()));
      case 7 -> stun();
      default -> session();
    };
  }

  /** A session frame (any type) for a random session id with a random payload. */
  private byte[] session() {
    ByteBuf b = Unpooled.buffer();
    FrameCodec.writeHeader(b, TYPES[random.nextInt(TYPES.length)], random.nextInt(256), random.nextInt(), random.nextLong() >>> 1);
    b.writeBytes(bytes(random.nextInt(1200)));
    return ByteBufUtil.getBytes(b);
  }

  private byte[] stun() {
    ByteBuf b = Unpooled.buffer();
    StunCodec.writeBindingRequest(b, bytes(12));
    return ByteBufUtil.getBytes(b);
  }


  private byte[] flip(byte[] d) {
    if (d.length == 0) return d;
    for (int i = 1 + random.nextInt(3); i > 0; i--) d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
    return d;
  }

  private byte[] truncate(byte[] d) {
    return java.util.Arrays.copyOf(d, random.nextInt(Math.max(1, d.length)));
  }

  private byte[] oversize(byte[] d) {
    byte[] big = java.util.Arrays.copyOf(d, 1500 + random.nextInt(8_000));
    for (int i = d.length; i < big.length; i++) big[i] = (byte) random.nextInt();
    return big;
  }

  private byte[] wrongVersion(byte[] d) {
    if (d.length > 0 && (d[0] & 0xF0) == FrameCodec.MARKER) d[0] = (byte) (FrameCodec.MARKER | (2 + random.nextInt(14)));
    return d;
  }

  private String id() {
    return "fz" + random.nextInt(1_000_000);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
