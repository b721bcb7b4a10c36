package io.p2pnode.metrics;

import io.p2pnode.bus.Addresses;
import io.p2pnode.dataplane.Deliverer;
import io.p2pnode.transport.Counters;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;

/**
 * Counts application messages where they enter and leave the node, without touching the API or
 * the sessions: messages out as they are sent to {@code p2p.send} / {@code p2p.request} (an
 * event-bus interceptor: one address comparison per event-bus message), messages in as the
 * sessions hand them to a local consumer.
 */
public final class MessageCounting {
  private MessageCounting() {
  }

  /** Counts sends to the API on {@code eventBus}; returns what {@link #uninstall} takes. */
  public static Handler<DeliveryContext<Object>> install(EventBus eventBus, Counters counters) {
    Handler<DeliveryContext<Object>> h = dc -> {
      String a = dc.message().address();
      if (Addresses.SEND.equals(a) || Addresses.REQUEST.equals(a)) counters.messageOut();
      dc.next();
    };
    eventBus.addOutboundInterceptor(h);
    return h;
  }

  public static void uninstall(EventBus eventBus, Handler<DeliveryContext<Object>> installed) {
    if (installed != null) eventBus.removeOutboundInterceptor(installed);
  }

  /** {@code delivery}, counting every message it is given. */
  public static Deliverer counted(Deliverer delivery, Counters counters) {
    return (from, data) -> {
      counters.messageIn();
      return delivery.deliver(from, data);
    };
  }
}
