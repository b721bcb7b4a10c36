package io.p2pnode.wire;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * A peer's long-term X25519 public key as it travels in REGISTER and INTRODUCE: exactly
 * {@value #BYTES} bytes, compared by content. Immutable.
 */
public final class PeerKey {
  public static final int BYTES = 32;
  private final byte[] bytes;

  private PeerKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code key}; {@link WireException} unless it is {@value #BYTES} bytes. */
  public static PeerKey of(byte[] key) {
    if (key == null || key.length != BYTES) throw new WireException("a peer key is " + BYTES + " bytes");
    return new PeerKey(key.clone());
  }

  /** The key in standard base64 ({@link #base64()}); {@link WireException} when it is not one. */
  public static PeerKey fromBase64(String text) {
    try {
      return of(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      throw new WireException("not a base64 peer key");
    }
  }

  /** A copy of the key bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerKey k && MessageDigest.isEqual(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "PeerKey[" + base64() + "]";
  }
}
