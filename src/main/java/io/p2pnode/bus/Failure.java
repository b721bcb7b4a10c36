package io.p2pnode.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * API failure codes ({@code ReplyException.failureCode()}), DESIGN §4.
 */
public enum Failure {
  /** Bad request; the message names the bad field. */
  BAD_REQUEST(400),
  /** Unknown peer, or no consumer at the remote address. */
  NOT_FOUND(404),
  /** Message too large. */
  TOO_LARGE(413),
  /** Send queue full (backpressure). */
  QUEUE_FULL(429),
  /** Peer unreachable. */
  UNREACHABLE(503),
  /** Timed out. */
  TIMEOUT(504);

  private final int code;

  Failure(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** A {@link ReplyException} carrying this code, for {@code Message.fail} or failed futures. */
  public ReplyException exception(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /**
   * Maps a failure from the local event bus (delivering to a consumer on this node) to the code
   * a remote sender sees: no consumer → 404, timeout → 504, a consumer's own {@code fail(code)}
   * passes through unchanged.
   */
  public static int codeOf(Throwable t) {
    if (t instanceof ReplyException re) {
      return switch (re.failureType()) {
        case NO_HANDLERS -> NOT_FOUND.code;
        case TIMEOUT -> TIMEOUT.code;
        default -> re.failureCode() > 0 ? re.failureCode() : 500;
      };
    }
    return 500;
  }
}
