package io.p2pnode.session;

import io.p2pnode.bus.Addresses;
import io.p2pnode.transport.ControlBudget;
import io.p2pnode.transport.InboundControl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.function.Function;

/**
 * Gives the {@link ControlPlane} its context: node-side control frames arrive on
 * {@link Addresses#INTERNAL_CONTROL}, the heartbeat tick refreshes registrations.
 */
public final class ControlVerticle extends VerticleBase {
  private final Function<Context, ControlPlane> factory;
  private final ControlBudget budget;
  private ControlPlane plane;

  public ControlVerticle(Function<Context, ControlPlane> factory, ControlBudget budget) {
    this.factory = factory;
    this.budget = budget;
  }

  @Override
  public Future<?> start() {
    plane = factory.apply(context);
    var in = vertx.eventBus().<InboundControl>localConsumer(Addresses.INTERNAL_CONTROL, m -> {
      budget.release(m.body());
      plane.dispatcher().handle(m.body());
    });
    var tick = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> plane.rendezvous().refresh());
    return Future.all(in.completion(), tick.completion()).onSuccess(v -> plane.rendezvous().refresh());
  }

  @Override
  public Future<?> stop() {
    plane.rendezvous().unregisterAll();
    return Future.succeededFuture();
  }

  /** The control context (after start). */
  public Context context() {
    return context;
  }

  /** The control plane (after start). */
  public ControlPlane plane() {
    return plane;
  }
}
