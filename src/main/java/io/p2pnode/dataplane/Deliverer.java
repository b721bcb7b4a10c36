package io.p2pnode.dataplane;

import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;

/**
 * Hands an inbound application message to a consumer on this node. For a send, the future
 * completes (with {@code null}) once a consumer took it; for a request, with the consumer's reply
 * body. A failure carries an API failure code (see {@code Failure.codeOf}).
 */
@FunctionalInterface
public interface Deliverer {
  Future<Object> deliver(String fromPeerId, SessionCodec.Data data);
}
