package io.p2pnode.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise {@code SymmetricState} (spec §5.2) for SHA256: chaining key {@code ck}, handshake
 * hash {@code h} and a {@link CipherState}. HKDF is the Noise variant (§4.3) over HMAC-SHA256.
 * Not thread-safe.
 */
final class SymmetricState {
  static final int HASH_BYTES = 32;

  private final MessageDigest sha256 = Digests.sha256();
  private final Mac hmac = Digests.hmacSha256();
  private final CipherState cipher = new CipherState();
  private byte[] ck;
  private byte[] h;

  /** InitializeSymmetric(protocolName). */
  SymmetricState(String protocolName) {
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    h = name.length <= HASH_BYTES ? Arrays.copyOf(name, HASH_BYTES) : sha256.digest(name);
    ck = h.clone();
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm, 2);
    wipe(ck);
    ck = out[0];
    cipher.initializeKey(out[1]);
    wipe(out[1]);
  }

  void mixHash(byte[] data) {
    sha256.update(h);
    sha256.update(data);
    h = sha256.digest();
  }

  /** MixKeyAndHash, for PSK modifiers; unused by IK and XX but part of the state machine. */
  void mixKeyAndHash(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm, 3);
    wipe(ck);
    ck = out[0];
    mixHash(out[1]);
    cipher.initializeKey(out[2]);
    wipe(out[2]);
  }

  boolean hasKey() {
    return cipher.hasKey();
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  byte[] encryptAndHash(byte[] plaintext) throws CryptoException {
    byte[] ciphertext = cipher.encryptWithAd(h, plaintext);
    mixHash(ciphertext);
    return ciphertext;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws CryptoException {
    byte[] plaintext = cipher.decryptWithAd(h, ciphertext);
    mixHash(ciphertext);
    return plaintext;
  }

  /** Split(): the initiator-to-responder and responder-to-initiator cipher states. */
  CipherState[] split() {
    byte[][] out = hkdf(ck, new byte[0], 2);
    CipherState[] pair = {new CipherState(out[0]), new CipherState(out[1])};
    wipe(out[0]);
    wipe(out[1]);
    return pair;
  }

  /** Forgets chaining key and cipher key. */
  void destroy() {
    wipe(ck);
    cipher.destroy();
  }

  /** Noise HKDF(chainingKey, ikm) with 2 or 3 outputs of 32 bytes. */
  private byte[][] hkdf(byte[] chainingKey, byte[] ikm, int outputs) {
    byte[] temp = hmac(chainingKey, ikm);
    byte[][] out = new byte[outputs][];
    byte[] previous = new byte[0];
    for (int i = 0; i < outputs; i++) {
      byte[] input = Arrays.copyOf(previous, previous.length + 1);
      input[previous.length] = (byte) (i + 1);
      out[i] = hmac(temp, input);
      previous = out[i];
    }
    wipe(temp);
    return out;
  }

  private byte[] hmac(byte[] key, byte[] data) {
    try {
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 refused a 32-byte key", e);
    }
    return hmac.doFinal(data);
  }

  private static void wipe(byte[] b) {
    if (b != null) Arrays.fill(b, (byte) 0);
  }
}
