package io.p2pnode.dataplane;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.VertxException;

/**
 * Where the byte streams peers open to this node go (the application's stream handlers). Called on
 * the session's thread; an implementation hands the bytes to the application's context and reports
 * what the reader consumed back through {@link PeerSession#streamConsumed}, which is what gives the
 * sender more credit.
 */
@FunctionalInterface
public interface StreamSink {
  /** Refuses every stream (no application takes streams): the sender gets 404. */
  StreamSink REFUSE = (peerId, streamId, address) -> null;

  /**
   * A peer opened a byte stream to {@code address}.
   *
   * @return where its bytes go, or {@code null} when nobody takes streams at {@code address}
   */
  Inbound open(String peerId, int streamId, String address);

  /** One inbound byte stream, fed in order on the session's thread. */
  interface Inbound {
    /** The next bytes of the stream. */
    void data(Buffer bytes);

    /** The sender ended the stream: nothing follows. */
    void end();

    /** The session closed before the end (a {@code ReplyException}), or the writer reset the stream ({@code StreamResetException}): nothing follows. */
    void failed(VertxException cause);
  }
}
