package io.p2pnode.crypto;

/**
 * What a completed {@link NoiseHandshake} yields: the peer's static key, the handshake hash (for
 * channel binding) and one {@link CipherState} per direction, already oriented for this side.
 * {@link #sendKey()} and {@link #receiveKey()} expose the raw keys for an explicit-nonce data path
 * ({@link FrameCipher}); use either them or the cipher states, not both on the same nonces.
 */
public final class HandshakeResult {
  private final byte[] remoteStaticKey;
  private final byte[] handshakeHash;
  private final CipherState sender;
  private final CipherState receiver;

  HandshakeResult(byte[] remoteStaticKey, byte[] handshakeHash, CipherState sender, CipherState receiver) {
    this.remoteStaticKey = remoteStaticKey;
    this.handshakeHash = handshakeHash;
    this.sender = sender;
    this.receiver = receiver;
  }

  /** The peer's static X25519 public key (32 bytes), or null for a pattern that never sends it. */
  public byte[] remoteStaticKey() {
    return remoteStaticKey == null ? null : remoteStaticKey.clone();
  }

  /** The final handshake hash {@code h} (32 bytes). */
  public byte[] handshakeHash() {
    return handshakeHash.clone();
  }

  /** Encrypts what this side sends (nonce from 0). */
  public CipherState sender() {
    return sender;
  }

  /** Decrypts what this side receives (nonce from 0). */
  public CipherState receiver() {
    return receiver;
  }

  /** The raw 32-byte key of this side's sending direction. */
  public byte[] sendKey() {
    return sender.key();
  }

  /** The raw 32-byte key of this side's receiving direction. */
  public byte[] receiveKey() {
    return receiver.key();
  }

  @Override
  public String toString() {
    return "HandshakeResult[remote=" + (remoteStaticKey == null ? "none" : X25519.hex(remoteStaticKey)) + "]";
  }
}
