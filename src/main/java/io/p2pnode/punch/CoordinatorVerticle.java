package io.p2pnode.punch;

import io.p2pnode.bus.Addresses;
import io.p2pnode.transport.ControlBudget;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.wire.ControlMessage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

import java.util.function.Function;

/**
 * The rendezvous server's verticle: control frames arrive from the listeners over
 * {@link Addresses#INTERNAL_COORDINATOR}, the own node's requests on the same address (answered by
 * event-bus reply), and the heartbeat tick sweeps expired registrations.
 */
public final class CoordinatorVerticle extends VerticleBase {
  private final Function<EventBus, CoordinatorEndpoint> factory;
  private final ControlBudget budget;
  private final int probePort;
  private CoordinatorEndpoint endpoint;

  /**
   * @param factory   builds the endpoint; it gets the event bus to reach the own node
   * @param probePort the bound probe port, 0 when there is none
   */
  public CoordinatorVerticle(Function<EventBus, CoordinatorEndpoint> factory, ControlBudget budget, int probePort) {
    this.factory = factory;
    this.budget = budget;
    this.probePort = probePort;
  }

  @Override
  public Future<?> start() {
    endpoint = factory.apply(vertx.eventBus());
    if (probePort > 0) endpoint.probePort(probePort);
    var in = vertx.eventBus().<InboundControl>localConsumer(Addresses.INTERNAL_COORDINATOR, this::onControl);
    var tick = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> endpoint.tick());
    return Future.all(in.completion(), tick.completion());
  }

  private void onControl(Message<InboundControl> m) {
    budget.release(m.body());
    ControlMessage answer = endpoint.handle(m.body());
    if (m.body().sender() == null) {
      if (answer == null) m.fail(503, "registration refused");
      else m.reply(new InboundControl(answer, null, null), InboundControl.LOCAL);
    }
  }
}
