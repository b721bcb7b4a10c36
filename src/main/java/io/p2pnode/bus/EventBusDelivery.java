package io.p2pnode.bus;

import io.p2pnode.dataplane.Deliverer;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/**
 * Delivers inbound peer messages to this node's event bus, with header {@code from}. A send
 * counts as delivered when a consumer took it ({@code MessageProducer.write} fails with
 * NO_HANDLERS when there is none, which the sender sees as 404); a request completes with the
 * consumer's reply. The node's own {@code p2p.*} addresses are not reachable from peers (404),
 * and a peer cannot ask for a request timeout beyond {@link Addresses#MAX_TIMEOUT_MS}.
 */
public final class EventBusDelivery implements Deliverer {
  private final EventBus eventBus;

  public EventBusDelivery(EventBus eventBus) {
    this.eventBus = eventBus;
    try {
      eventBus.registerCodec(HandOverCodec.INSTANCE);
    } catch (IllegalStateException alreadyRegistered) { // another node in this Vert.x instance did
    }
  }

  @Override
  public Future<Object> deliver(String fromPeerId, SessionCodec.Data data) {
    if (Addresses.isReserved(data.address())) {
      return Future.failedFuture(Failure.NOT_FOUND.exception("no consumer at " + data.address() + " (reserved)"));
    }
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).addHeader(Addresses.HEADER_FROM, fromPeerId);
    if (data.body() instanceof Buffer) o.setCodecName(HandOverCodec.NAME); // decoded for this delivery alone: no copy
    if (data.kind() == SessionCodec.KIND_SEND || data.kind() == SessionCodec.KIND_NOTIFY) {
      return eventBus.sender(data.address(), o).write(data.body()).map(v -> null);
    }
    o.setSendTimeout(Math.max(1, Math.min(Addresses.MAX_TIMEOUT_MS, data.timeoutMs())));
    return eventBus.request(data.address(), data.body(), o).map(Message::body);
  }
}
