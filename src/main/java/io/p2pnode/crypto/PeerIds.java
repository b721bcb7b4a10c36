package io.p2pnode.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Self-certifying peer ids: the lowercase, unpadded RFC 4648 base32 of the first 20 bytes of
 * SHA-256("p2p-node id v1" || public key). Always 32 characters of {@code [a-z2-7]}, so a valid
 * node peer id; whoever proves possession of the key (a Noise handshake) proves the id.
 */
public final class PeerIds {
  /** Characters in a self-certifying id (160 bits / 5). */
  public static final int LENGTH = 32;
  private static final byte[] DOMAIN = "p2p-node id v1".getBytes(StandardCharsets.US_ASCII);
  private static final int ID_BYTES = 20;
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private PeerIds() {
  }

  /** The id of an X25519 public key (32 bytes). */
  public static String of(byte[] publicKey) {
    X25519.checkLength(publicKey, "public key");
    MessageDigest sha = Digests.sha256();
    sha.update(DOMAIN);
    sha.update(publicKey);
    return base32(sha.digest(), ID_BYTES);
  }

  /** Whether {@code peerId} is the id of {@code publicKey}. */
  public static boolean matches(String peerId, byte[] publicKey) {
    if (peerId == null || publicKey == null || publicKey.length != X25519.KEY_BYTES) return false;
    if (!isSelfCertifying(peerId)) return false;
    return MessageDigest.isEqual(of(publicKey).getBytes(StandardCharsets.US_ASCII), peerId.getBytes(StandardCharsets.US_ASCII));
  }

  /** Whether {@code peerId} has the shape of a self-certifying id: {@value #LENGTH} chars of [a-z2-7]. */
  public static boolean isSelfCertifying(String peerId) {
    if (peerId == null || peerId.length() != LENGTH) return false;
    for (int i = 0; i < LENGTH; i++) {
      char c = peerId.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '2' && c <= '7')) return false;
    }
    return true;
  }

  /** Base32 of the first {@code length} bytes; {@code length} a multiple of 5, so no padding. */
  static String base32(byte[] data, int length) {
    StringBuilder sb = new StringBuilder(length * 8 / 5);
    long buffer = 0;
    int bits = 0;
    for (int i = 0; i < length; i++) {
      buffer = (buffer << 8) | (data[i] & 0xff);
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        sb.append(ALPHABET[(int) (buffer >>> bits) & 31]);
      }
    }
    return sb.toString();
  }
}
