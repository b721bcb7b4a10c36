package io.p2pnode.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise {@code CipherState} (spec §5.1) for AESGCM: a key {@code k} and a 64-bit nonce
 * {@code n} treated as unsigned. Encryption with no key returns the plaintext. The nonce
 * 2<sup>64</sup>−1 is reserved (for {@link #rekey()}); reaching it fails. A failed decryption
 * leaves {@code n} unchanged. Not thread-safe.
 */
public final class CipherState {
  /** Noise's reserved nonce 2^64-1, as a signed long. */
  static final long MAX_NONCE = -1L;

  private final Cipher cipher = Aead.newCipher();
  private final byte[] iv = new byte[Aead.NONCE_BYTES];
  private byte[] key;
  private SecretKeySpec keySpec;
  private long n;

  /** A cipher state with no key yet. */
  public CipherState() {
  }

  /** A cipher state holding {@code key} (32 bytes), nonce 0. */
  public CipherState(byte[] key) {
    initializeKey(key);
  }

  /** Sets the key (32 bytes) and resets the nonce to 0. */
  public void initializeKey(byte[] key) {
    X25519.checkLength(key, "cipher key");
    destroy();
    this.key = key.clone();
    this.keySpec = new SecretKeySpec(this.key, "AES");
    this.n = 0;
  }

  public boolean hasKey() {
    return key != null;
  }

  /** The next nonce to use (unsigned). */
  public long nonce() {
    return n;
  }

  /** Sets the next nonce, for explicit-nonce transports. */
  public void setNonce(long nonce) {
    this.n = nonce;
  }

  /** A copy of the raw 32-byte key, or null with no key. */
  public byte[] key() {
    return key == null ? null : key.clone();
  }

  /** ENCRYPT(k, n++, ad, plaintext), or the plaintext itself with no key. */
  public byte[] encryptWithAd(byte[] ad, byte[] plaintext) throws CryptoException {
    if (!hasKey()) return plaintext.clone();
    checkNonce();
    byte[] out = crypt(Cipher.ENCRYPT_MODE, n, ad, plaintext);
    n++;
    return out;
  }

  /**
   * DECRYPT(k, n++, ad, ciphertext), or the ciphertext itself with no key.
   *
   * @throws CryptoException when the ciphertext is shorter than a tag or does not authenticate
   *     ({@code n} is then not incremented)
   */
  public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws CryptoException {
    if (!hasKey()) return ciphertext.clone();
    checkNonce();
    if (ciphertext.length < Aead.TAG_BYTES) throw new CryptoException("ciphertext shorter than the AEAD tag");
    byte[] out = crypt(Cipher.DECRYPT_MODE, n, ad, ciphertext);
    n++;
    return out;
  }

  /** Noise REKEY: k = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes); n is kept. */
  public void rekey() throws CryptoException {
    if (!hasKey()) throw new IllegalStateException("no key to rekey");
    byte[] next = Arrays.copyOf(crypt(Cipher.ENCRYPT_MODE, MAX_NONCE, new byte[0], new byte[Aead.KEY_BYTES]), Aead.KEY_BYTES);
    long keep = n;
    initializeKey(next);
    Arrays.fill(next, (byte) 0);
    n = keep;
  }

  /** Overwrites the key with zeros and forgets it. */
  public void destroy() {
    if (key != null) Arrays.fill(key, (byte) 0);
    key = null;
    keySpec = null;
  }

  private void checkNonce() throws CryptoException {
    if (n == MAX_NONCE) throw new CryptoException("nonce space exhausted");
  }

  private byte[] crypt(int mode, long nonce, byte[] ad, byte[] in) throws CryptoException {
    try {
      cipher.init(mode, keySpec, Aead.nonce(iv, nonce));
      cipher.updateAAD(ad);
      return cipher.doFinal(in);
    } catch (AEADBadTagException e) {
      throw new CryptoException("AEAD authentication failed", e);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "CipherState[" + (hasKey() ? "keyed" : "empty") + ", n=" + Long.toUnsignedString(n) + "]";
  }
}
