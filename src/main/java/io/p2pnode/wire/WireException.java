package io.p2pnode.wire;

/**
 * A datagram that does not decode: truncated, malformed or with an out-of-range field. Stackless,
 * because hostile input can make it frequent; the receiver counts it as a drop and moves on.
 */
public final class WireException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WireException(String message) {
    super(message, null, false, false);
  }
}
