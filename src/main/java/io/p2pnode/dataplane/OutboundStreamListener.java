package io.p2pnode.dataplane;

import io.vertx.core.eventbus.ReplyException;

/** What a sender's byte stream hears from its session, on the session's thread. */
public interface OutboundStreamListener {
  /** The peer acknowledged {@code bytes} more of the stream. */
  void acked(long bytes);

  /** The peer acknowledged the stream's end: it has every byte. */
  void ended();

  /** The stream failed: the session closed (503), or the receiver refused it (404 no handler, 429 too many streams). */
  void failed(ReplyException cause);
}
