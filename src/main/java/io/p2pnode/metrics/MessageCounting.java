package io.p2pnode.metrics;

import io.p2pnode.dataplane.Deliverer;
import io.p2pnode.transport.Counters;

/**
 * Counts application messages as the sessions hand them to a local consumer (messages in).
 * Messages out are counted where the API takes them ({@code bus.ApiVerticle}'s interceptor).
 */
public final class MessageCounting {
  private MessageCounting() {
  }

  /** {@code delivery}, counting every message it is given. */
  public static Deliverer counted(Deliverer delivery, Counters counters) {
    return (from, data) -> {
      counters.messageIn();
      return delivery.deliver(from, data);
    };
  }
}
