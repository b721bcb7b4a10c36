package io.p2pnode.wire;

import java.util.Arrays;

/**
 * Immutable opaque bytes inside a control message (a Noise handshake message in HELLO), compared
 * by content so that the records holding them stay value types. At most 65 535 bytes.
 */
public final class Opaque {
  public static final Opaque EMPTY = new Opaque(new byte[0]);
  private final byte[] bytes;

  private Opaque(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code b}. */
  public static Opaque of(byte[] b) {
    if (b.length > 0xFFFF) throw new IllegalArgumentException("opaque field longer than 65535 bytes");
    return b.length == 0 ? EMPTY : new Opaque(b.clone());
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Opaque x && Arrays.equals(x.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Opaque[" + bytes.length + " bytes]";
  }
}
