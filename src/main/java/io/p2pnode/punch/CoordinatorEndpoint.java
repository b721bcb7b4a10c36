package io.p2pnode.punch;

import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import io.p2pnode.wire.ControlMessage.Unregister;

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The coordinator's protocol handling around {@link Coordinator}: answers go back on the socket
 * a request came in on; an introduction for the coordinator's own node goes to
 * {@code toOwnNode}. Requests of the own node itself (no sender) get their answer returned.
 * Single-threaded; used by {@link CoordinatorVerticle} and by the in-memory lab.
 */
public final class CoordinatorEndpoint {
  private static final Logger LOG = Logger.getLogger("p2p.coordinator");
  private final Coordinator coordinator;
  private final Counters counters;
  private final Consumer<InboundControl> toOwnNode;
  private final io.p2pnode.time.Scheduler scheduler;
  private int probePort = -1;
  private int probesPending;
  /** Answers to NAT idle-timeout probes waiting at once; more are dropped. */
  static final int MAX_PROBES = 10_000;
  /** Longest silence a probe may ask for. */
  static final long MAX_PROBE_DELAY_MS = 600_000;

  /** @param scheduler for the delayed answers to NAT idle-timeout probes ({@code null}: not answered) */
  public CoordinatorEndpoint(Coordinator coordinator, Counters counters, Consumer<InboundControl> toOwnNode,
                             io.p2pnode.time.Scheduler scheduler) {
    this.coordinator = coordinator;
    this.counters = counters;
    this.toOwnNode = toOwnNode;
    this.scheduler = scheduler;
  }

  /**
   * Handles one request.
   *
   * @return for a request of the own node (no sender): the answer, or {@code null} if refused;
   *         for a remote request: {@code null} (answers were sent)
   */
  public ControlMessage handle(InboundControl in) {
    ControlMessage msg = in.message();
    ControlMessage answer;
    if (msg instanceof Register r && in.via() != null && in.via().localAddress().getPort() == probePort) {
      send(in.via(), coordinator.probe(r, in.sender()), in.sender());
      return null;
    } else if (msg instanceof Register r) {
      RegisterAck ack = coordinator.register(r, in.sender());
      if (ack == null) {
        counters.drop(r.peerId().equals(coordinator.selfPeerId()) ? Drop.PEER_ID_CONFLICT : Drop.REGISTRY_FULL);
        return null;
      }
      LOG.fine(() -> "registered " + r.peerId() + " at " + in.sender());
      answer = ack;
    } else if (msg instanceof Connect c) {
      Coordinator.Outcome out = coordinator.connect(c, in.sender());
      if (out.failure() != null) {
        answer = out.failure();
      } else {
        Coordinator.Introduction intro = out.introduction();
        if (intro.targetIsLocal()) toOwnNode.accept(new InboundControl(intro.toTarget(), null, null));
        else send(in.via(), intro.toTarget(), intro.targetAddress());
        answer = intro.toRequester();
      }
    } else if (msg instanceof ControlMessage.Relay r) {
      Coordinator.Forward f = coordinator.relay(r, in.sender());
      if (f == null) {
        counters.drop(Drop.RELAY_REFUSED);
      } else {
        counters.relayForwarded();
        send(in.via(), f.message(), f.to());
      }
      return null;
    } else if (msg instanceof ControlMessage.ProbeAsk ask) {
      // bounded: at most MAX_PROBES answers pending, none later than MAX_PROBE_DELAY_MS
      if (scheduler == null || in.sender() == null || probesPending >= MAX_PROBES || ask.delayMs() > MAX_PROBE_DELAY_MS) {
        counters.drop(Drop.UNEXPECTED_CONTROL);
      } else {
        probesPending++;
        PacketSocket via = in.via();
        InetSocketAddress to = in.sender();
        scheduler.schedule(ask.delayMs(), () -> {
          probesPending--;
          send(via, new ControlMessage.ProbeEcho(ask.txn()), to);
        });
      }
      return null;
    } else if (msg instanceof Unregister u) {
      coordinator.unregister(u.peerId(), in.sender());
      return null;
    } else {
      counters.drop(Drop.UNEXPECTED_CONTROL);
      return null;
    }
    if (in.sender() == null) return answer;
    send(in.via(), answer, in.sender());
    return null;
  }

  /** The probe socket is bound on {@code port}: REGISTERs arriving there are answered as probes. */
  public void probePort(int port) {
    this.probePort = port;
    coordinator.probePort(port);
  }

  /** Drops expired registrations (heartbeat tick). */
  public void tick() {
    coordinator.expire();
  }

  private static void send(PacketSocket via, ControlMessage msg, InetSocketAddress to) {
    via.send(ControlMessage.encode(via.alloc(), msg, 0), to);
  }
}
