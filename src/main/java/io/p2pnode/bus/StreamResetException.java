package io.p2pnode.bus;

import io.vertx.core.VertxException;

/**
 * A byte stream was reset: its writer ({@link P2pWriteStream#reset}) or its reader
 * ({@link P2pReadStream#reset}) gave it up with an application code, as HTTP/2's
 * {@code RST_STREAM} ({@code io.vertx.core.http.StreamResetException}) or QUIC's RESET_STREAM.
 * The other side's write futures, {@code end()} and exception handler fail with it; nothing more
 * of the stream is delivered.
 */
public final class StreamResetException extends VertxException {
  private final long code;

  /**
   * @param code   the application's code, 0 to 2^32 - 1
   * @param byPeer whether the other end reset the stream (else this end did)
   */
  public StreamResetException(long code, boolean byPeer) {
    super((byPeer ? "the peer reset the stream" : "stream reset") + " (code " + code + ")", true);
    this.code = code;
  }

  /** The application code the stream was reset with. */
  public long code() {
    return code;
  }
}
