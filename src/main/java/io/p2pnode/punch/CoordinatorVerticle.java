package io.p2pnode.punch;

import io.p2pnode.bus.Addresses;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import io.p2pnode.wire.ControlMessage.Unregister;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;

import java.net.InetSocketAddress;
import java.util.logging.Logger;

/**
 * The rendezvous server: wiring around {@link Coordinator}. Control frames arrive from the
 * listeners over {@link Addresses#INTERNAL_COORDINATOR}; answers leave on the socket they came in
 * on. The node's own registration and introductions arrive on the same address with no sender
 * and are answered by event-bus reply. The heartbeat tick sweeps expired registrations.
 */
public final class CoordinatorVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("p2p.coordinator");
  private final Coordinator coordinator;
  private final Counters counters;

  public CoordinatorVerticle(Coordinator coordinator, Counters counters) {
    this.coordinator = coordinator;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    var in = vertx.eventBus().<InboundControl>localConsumer(Addresses.INTERNAL_COORDINATOR, this::onControl);
    var tick = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> coordinator.expire());
    return Future.all(in.completion(), tick.completion());
  }

  private void onControl(Message<InboundControl> m) {
    InboundControl in = m.body();
    boolean local = in.sender() == null;
    ControlMessage msg = in.message();
    if (msg instanceof Register r) {
      RegisterAck ack = coordinator.register(r, in.sender());
      if (ack == null) {
        counters.drop(r.peerId().equals(coordinator.selfPeerId()) ? Drop.PEER_ID_CONFLICT : Drop.REGISTRY_FULL);
        if (local) m.fail(503, "registration refused");
        return;
      }
      LOG.fine(() -> "registered " + r.peerId() + " at " + in.sender());
      answer(m, in, ack, in.sender());
    } else if (msg instanceof Connect c) {
      Coordinator.Outcome out = coordinator.connect(c, in.sender());
      if (out.failure() != null) {
        answer(m, in, out.failure(), in.sender());
        return;
      }
      Coordinator.Introduction intro = out.introduction();
      if (intro.targetIsLocal()) {
        vertx.eventBus().send(Addresses.INTERNAL_CONTROL, new InboundControl(intro.toTarget(), null, null), InboundControl.LOCAL);
      } else {
        send(in.via(), intro.toTarget(), intro.targetAddress());
      }
      answer(m, in, intro.toRequester(), in.sender());
    } else if (msg instanceof Unregister u) {
      coordinator.unregister(u.peerId(), in.sender());
    } else {
      counters.drop(Drop.UNEXPECTED_CONTROL);
    }
  }

  private void answer(Message<InboundControl> m, InboundControl in, ControlMessage reply, InetSocketAddress to) {
    if (in.sender() == null) {
      m.reply(new InboundControl(reply, null, null), InboundControl.LOCAL);
    } else {
      send(in.via(), reply, to);
    }
  }

  private static void send(PacketSocket via, ControlMessage msg, InetSocketAddress to) {
    via.send(ControlMessage.encode(via.alloc(), msg, 0), to);
  }
}
