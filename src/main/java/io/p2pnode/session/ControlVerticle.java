package io.p2pnode.session;

import io.p2pnode.bus.Addresses;
import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Hello;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

import io.vertx.core.Context;

import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The node's control plane on one context: the {@link SessionManager} and the
 * {@link RendezvousClient}. Consumes node-side control frames (HELLO, INTRODUCE, REGISTER_ACK,
 * CONNECT_FAIL) and the heartbeat tick (registration refresh).
 */
public final class ControlVerticle extends VerticleBase {
  private final Function<Context, RendezvousClient> rendezvousFactory;
  private final BiFunction<Context, RendezvousClient, SessionManager> managerFactory;
  private final Counters counters;
  private SessionManager manager;
  private RendezvousClient rendezvous;

  public ControlVerticle(Function<Context, RendezvousClient> rendezvousFactory,
                         BiFunction<Context, RendezvousClient, SessionManager> managerFactory, Counters counters) {
    this.rendezvousFactory = rendezvousFactory;
    this.managerFactory = managerFactory;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    rendezvous = rendezvousFactory.apply(context);
    manager = managerFactory.apply(context, rendezvous);
    var in = vertx.eventBus().<InboundControl>localConsumer(Addresses.INTERNAL_CONTROL, this::onControl);
    var tick = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> rendezvous.refresh());
    return Future.all(in.completion(), tick.completion()).onSuccess(v -> rendezvous.refresh());
  }

  @Override
  public Future<?> stop() {
    rendezvous.unregisterAll();
    return Future.succeededFuture();
  }

  private void onControl(Message<InboundControl> m) {
    InboundControl in = m.body();
    ControlMessage msg = in.message();
    if (msg instanceof Hello h) {
      manager.onHello(h, in.sender());
    } else if (msg instanceof RegisterAck ack) {
      rendezvous.onRegisterAck(ack, in.sender());
    } else if (msg instanceof Introduce intro) {
      if (!rendezvous.onReply(intro)) manager.onIntroduce(intro, in.sender());
    } else if (msg instanceof ConnectFail f) {
      if (!rendezvous.onReply(f)) counters.drop(Drop.STALE_REPLY);
    } else {
      counters.drop(Drop.UNEXPECTED_CONTROL);
    }
  }

  /** The control context (after start). */
  public Context context() {
    return context;
  }

  /** The session manager (after start). */
  public SessionManager manager() {
    return manager;
  }

  /** The rendezvous client (after start). */
  public RendezvousClient rendezvous() {
    return rendezvous;
  }
}
