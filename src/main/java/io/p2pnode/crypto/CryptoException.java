package io.p2pnode.crypto;

/**
 * A cryptographic check failed: a handshake message or frame that does not authenticate, is
 * truncated or oversized, or a key agreement that yields no secret. Checked, so callers decide
 * explicitly what a failure means (usually: drop the datagram, forget the handshake). Stackless,
 * because hostile input can make it frequent.
 */
public final class CryptoException extends Exception {
  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message, null, false, false);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
