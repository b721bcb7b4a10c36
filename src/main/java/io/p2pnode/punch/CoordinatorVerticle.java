package io.p2pnode.punch;

import io.p2pnode.bus.Addresses;
import io.p2pnode.transport.ControlBudget;
import io.p2pnode.transport.InboundControl;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The rendezvous server's verticle: control frames arrive from the listeners over
 * {@link Addresses#INTERNAL_COORDINATOR}, the own node's requests on the same address (answered by
 * event-bus reply), and the heartbeat tick sweeps expired registrations. When clustered, the
 * endpoint joins the other coordinators on start and leaves them on stop.
 */
public final class CoordinatorVerticle extends VerticleBase {
  /** Joins a started endpoint to the cluster on the verticle's context; the returned future closes what it opened. */
  @FunctionalInterface
  public interface ClusterJoin {
    Future<java.util.function.Supplier<Future<Void>>> join(Context context, CoordinatorEndpoint endpoint);
  }

  private final Function<EventBus, CoordinatorEndpoint> factory;
  private final ControlBudget budget;
  private final int probePort;
  private final ClusterJoin cluster;
  private CoordinatorEndpoint endpoint;
  private java.util.function.Supplier<Future<Void>> leave = Future::succeededFuture;

  /**
   * @param factory   builds the endpoint; it gets the event bus to reach the own node
   * @param probePort the bound probe port, 0 when there is none
   * @param cluster   joins the clustered coordinators, {@code null} when standalone
   */
  public CoordinatorVerticle(Function<EventBus, CoordinatorEndpoint> factory, ControlBudget budget, int probePort,
                             ClusterJoin cluster) {
    this.factory = factory;
    this.budget = budget;
    this.probePort = probePort;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    endpoint = factory.apply(vertx.eventBus());
    if (probePort > 0) endpoint.probePort(probePort);
    var in = vertx.eventBus().<InboundControl>localConsumer(Addresses.INTERNAL_COORDINATOR, this::onControl);
    var tick = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> endpoint.tick());
    Future<?> joined = cluster == null ? Future.succeededFuture()
      : cluster.join(context, endpoint).onSuccess(l -> leave = l);
    return Future.all(in.completion(), tick.completion(), joined);
  }

  @Override
  public Future<?> stop() {
    return leave.get();
  }

  private void onControl(Message<InboundControl> m) {
    budget.release(m.body());
    boolean own = m.body().sender() == null;
    endpoint.handle(m.body()).onComplete(ar -> {
      if (!own) return;
      if (ar.succeeded()) m.reply(new InboundControl(ar.result(), null, null), InboundControl.LOCAL);
      else m.fail(503, ar.cause().getMessage());
    });
  }
}
