package io.p2pnode.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) on raw 32-byte keys, over the JDK's {@code XDH} provider. Public keys are the
 * little-endian u-coordinate; the JDK's {@link XECPublicKeySpec} wants a big-endian
 * {@link BigInteger}, so the bytes are reversed and bit 255 masked, as RFC 7748 §5 requires.
 * Private keys are passed to {@link XECPrivateKeySpec} raw; the JDK clamps them. Thread-safe:
 * the key factory is per thread, the key agreement per call (so no private key lingers in a
 * cached JCA object).
 */
public final class X25519 {
  public static final int KEY_BYTES = 32;
  private static final byte[] BASE_POINT = basePoint();
  private static final ThreadLocal<KeyFactory> FACTORY = ThreadLocal.withInitial(X25519::newFactory);

  private X25519() {
  }

  /** The public key of a raw private key: X25519(k, 9). */
  public static byte[] publicKey(byte[] privateKey) {
    try {
      return dh(privateKey, BASE_POINT);
    } catch (CryptoException e) {
      throw new IllegalStateException("X25519 base point multiplication failed", e);
    }
  }

  /**
   * The shared secret X25519(privateKey, publicKey).
   *
   * @throws CryptoException when the peer key is of small order (the JDK refuses an all-zero secret)
   */
  public static byte[] dh(byte[] privateKey, byte[] publicKey) throws CryptoException {
    checkLength(privateKey, "private key");
    checkLength(publicKey, "public key");
    try {
      KeyFactory factory = FACTORY.get();
      PrivateKey sk = factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey));
      PublicKey pk = factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, toU(publicKey)));
      KeyAgreement agreement = newAgreement();
      agreement.init(sk);
      agreement.doPhase(pk, true);
      return agreement.generateSecret();
    } catch (GeneralSecurityException | IllegalStateException e) {
      throw new CryptoException("X25519 key agreement failed: " + e.getMessage(), e);
    }
  }

  /** Little-endian u-coordinate with bit 255 masked, as a non-negative BigInteger. */
  static BigInteger toU(byte[] publicKey) {
    byte[] be = new byte[KEY_BYTES];
    for (int i = 0; i < KEY_BYTES; i++) {
      be[i] = publicKey[KEY_BYTES - 1 - i];
    }
    be[0] &= 0x7f;
    return new BigInteger(1, be);
  }

  static void checkLength(byte[] key, String what) {
    if (key == null || key.length != KEY_BYTES) {
      throw new IllegalArgumentException(what + " must be " + KEY_BYTES + " bytes");
    }
  }

  static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static byte[] basePoint() {
    byte[] u = new byte[KEY_BYTES];
    u[0] = 9;
    return u;
  }

  private static KeyFactory newFactory() {
    try {
      return KeyFactory.getInstance("X25519");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks X25519", e);
    }
  }

  private static KeyAgreement newAgreement() {
    try {
      return KeyAgreement.getInstance("X25519");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks X25519", e);
    }
  }
}
