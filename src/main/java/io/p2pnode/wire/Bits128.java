package io.p2pnode.wire;

import java.nio.ByteBuffer;

/**
 * 128 opaque bits on the wire, big-endian: a coordinator's stateless cookie or a truncated MAC.
 * A record of two longs, so it compares by value. {@link #ZERO} means "none".
 */
public record Bits128(long hi, long lo) {
  public static final int BYTES = 16;
  public static final Bits128 ZERO = new Bits128(0, 0);

  /** The first 16 bytes of {@code b} (a longer MAC is truncated). */
  public static Bits128 of(byte[] b) {
    if (b.length < BYTES) throw new IllegalArgumentException("need 16 bytes, got " + b.length);
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new Bits128(buf.getLong(), buf.getLong());
  }

  public byte[] bytes() {
    return ByteBuffer.allocate(BYTES).putLong(hi).putLong(lo).array();
  }

  /** Compares in constant time (MAC checks). */
  public boolean sameAs(Bits128 o) {
    return ((hi ^ o.hi) | (lo ^ o.lo)) == 0;
  }
}
