package io.p2pnode.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An X25519 key pair as raw 32-byte strings (RFC 7748 encoding: the private scalar as given, not
 * clamped; the public key as the little-endian u-coordinate). Accessors return copies;
 * {@link #toString()} never shows the private key.
 */
public final class X25519KeyPair {
  private final byte[] privateKey;
  private final byte[] publicKey;

  private X25519KeyPair(byte[] privateKey, byte[] publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A fresh key pair from {@code random}. */
  public static X25519KeyPair generate(SecureRandom random) {
    byte[] sk = new byte[X25519.KEY_BYTES];
    random.nextBytes(sk);
    return fromPrivate(sk);
  }

  /** The key pair of a raw private key; the public key is derived. */
  public static X25519KeyPair fromPrivate(byte[] privateKey) {
    X25519.checkLength(privateKey, "private key");
    byte[] sk = privateKey.clone();
    return new X25519KeyPair(sk, X25519.publicKey(sk));
  }

  public byte[] privateKey() {
    return privateKey.clone();
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** The private key without a copy, for this package's DH calls only. */
  byte[] privateKeyRef() {
    return privateKey;
  }

  byte[] publicKeyRef() {
    return publicKey;
  }

  /** Overwrites the private key with zeros; the pair is unusable afterwards. */
  public void destroy() {
    Arrays.fill(privateKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "X25519KeyPair[public=" + X25519.hex(publicKey) + "]";
  }
}
