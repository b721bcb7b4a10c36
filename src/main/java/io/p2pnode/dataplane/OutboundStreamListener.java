package io.p2pnode.dataplane;

import io.vertx.core.VertxException;

/** What a sender's byte stream hears from its session, on the session's thread. */
public interface OutboundStreamListener {
  /** The peer acknowledged {@code bytes} more of the stream. */
  void acked(long bytes);

  /** The peer acknowledged the stream's end: it has every byte. */
  void ended();

  /**
   * The stream failed: the session closed (503), the receiver refused it (404 no handler, 429 too
   * many streams; a {@code ReplyException}), or its reader reset it ({@code StreamResetException}).
   */
  void failed(VertxException cause);
}
