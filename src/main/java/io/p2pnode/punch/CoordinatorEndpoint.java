package io.p2pnode.punch;

import io.netty.buffer.Unpooled;
import io.p2pnode.bus.Failure;
import io.p2pnode.registry.PeerRecord;
import io.p2pnode.registry.SharedRegistry;
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

import java.net.InetSocketAddress;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The coordinator's protocol handling around {@link Coordinator}: answers go back on the socket
 * a request came in on; an introduction for the coordinator's own node goes to
 * {@code toOwnNode}. Requests of the own node itself (no sender) get their answer returned.
 * When clustered ({@link #cluster}), registrations are published to the {@link SharedRegistry},
 * and introductions and relayed frames for peers registered elsewhere cross the
 * {@link CoordinatorMesh} to the coordinator that holds the peer's NAT mapping.
 * Single-threaded; used by {@link CoordinatorVerticle} and by the in-memory lab.
 */
public final class CoordinatorEndpoint {
  private static final Logger LOG = Logger.getLogger("p2p.coordinator");
  private final Coordinator coordinator;
  private final Counters counters;
  private final Consumer<InboundControl> toOwnNode;
  private final io.p2pnode.time.Scheduler scheduler;
  /** Delay of the second copy of an introduction to its target: apart enough that a burst of loss rarely takes both. */
  static final long INTRODUCE_REPEAT_MS = 150;
  private final RegistrationGuard guard;
  private int probePort = -1;
  private int probesPending;
  private SharedRegistry shared;
  private CoordinatorMesh mesh;
  private Supplier<PacketSocket> mainSocket;
  /** When each peer registered here was last published to the shared registry (wall-clock ms). */
  private final java.util.Map<String, Long> publishedAt = new java.util.HashMap<>();
  /** Answers to NAT idle-timeout probes waiting at once; more are dropped. */
  static final int MAX_PROBES = 10_000;
  /** Longest silence a probe may ask for. */
  static final long MAX_PROBE_DELAY_MS = 600_000;

  /**
   * @param guard     checks remote registrations (proof of key possession, admission)
   * @param scheduler for the delayed answers to NAT idle-timeout probes ({@code null}: not answered)
   */
  public CoordinatorEndpoint(Coordinator coordinator, RegistrationGuard guard, Counters counters, Consumer<InboundControl> toOwnNode,
                             io.p2pnode.time.Scheduler scheduler) {
    this.coordinator = coordinator;
    this.guard = guard;
    this.counters = counters;
    this.toOwnNode = toOwnNode;
    this.scheduler = scheduler;
  }

  /**
   * Joins a cluster of coordinators: registrations are shared through {@code shared}, frames for
   * peers of other coordinators go through {@code mesh}, and frames other coordinators hand us
   * leave on {@code mainSocket}. When a coordinator leaves, our registrations are published again.
   */
  public void cluster(SharedRegistry shared, CoordinatorMesh mesh, Supplier<PacketSocket> mainSocket) {
    this.shared = shared;
    this.mesh = mesh;
    this.mainSocket = mainSocket;
    shared.onMemberLeft(member -> {
      int n = 0;
      for (PeerRecord r : coordinator.registeredPeers()) {
        if (r.ownNode()) continue; // the own node is introduced by this coordinator only
        shared.publish(r);
        n++;
      }
      int published = n;
      LOG.info(() -> "cluster member " + member + " left: published our " + published + " registrations again");
    });
  }

  /**
   * Handles one request.
   *
   * @return for a request of the own node (no sender): the answer, failed if refused;
   *         for a remote request: {@code null} once handled (answers were sent)
   */
  public Future<ControlMessage> handle(InboundControl in) {
    ControlMessage msg = in.message();
    if (msg instanceof Register r && in.via() != null && in.via().localAddress().getPort() == probePort) {
      send(in.via(), coordinator.probe(r, in.sender()), in.sender());
      return Future.succeededFuture();
    } else if (msg instanceof Register r && in.sender() != null && !proven(r, in)) {
      return Future.succeededFuture();
    } else if (msg instanceof Register r) {
      PeerRecord before = shared == null ? null : coordinator.registered(r.peerId());
      Coordinator.Registration reg = coordinator.register(r, in.sender());
      RegisterAck ack = reg.ack();
      if (ack == null) {
        counters.drop(reg.refused());
        return answer(in, null);
      }
      LOG.fine(() -> "registered " + r.peerId() + " at " + in.sender());
      // a registration connection: held open (it holds the peer's NAT mapping) until it closes or idles out
      if (in.sender() instanceof io.p2pnode.transport.TcpEndpoint t) t.link().claim();
      if (shared != null && in.sender() != null) publish(before, coordinator.registered(r.peerId()));
      return answer(in, ack);
    } else if (msg instanceof Connect c) {
      return connect(c, in);
    } else if (msg instanceof ControlMessage.Relay r) {
      relay(r, in);
    } else if (msg instanceof ControlMessage.ProbeAsk ask) {
      probe(ask, in);
    } else if (msg instanceof Unregister u) {
      if (coordinator.unregister(u.peerId(), in.sender()) && shared != null) {
        publishedAt.remove(u.peerId());
        shared.withdraw(u.peerId(), coordinator.selfPeerId());
      }
    } else {
      counters.drop(Drop.UNEXPECTED_CONTROL);
    }
    return Future.succeededFuture();
  }

  /** Whether a remote REGISTER proves its key; if not, it was challenged or counted as a drop. */
  private boolean proven(Register r, InboundControl in) {
    switch (guard.check(r, in.sender(), coordinator.nowMs())) {
      case ACCEPT:
        return true;
      case CHALLENGE:
        send(in.via(), guard.challenge(r, in.sender(), coordinator.nowMs()), in.sender());
        return false;
      case NOT_ADMITTED:
        counters.drop(Drop.NOT_ADMITTED);
        return false;
      default:
        counters.drop(Drop.AUTH_FAILED);
        return false;
    }
  }

  /**
   * Publishes a registration to the shared registry when it is new or changed, or when a third
   * of its time-to-live has passed since it was last published: refreshes (every keepalive)
   * mostly stay local, while the shared entry never lapses.
   */
  private void publish(PeerRecord before, PeerRecord now) {
    Long last = publishedAt.get(now.peerId());
    boolean same = before != null && last != null && java.util.Objects.equals(before.observed(), now.observed())
      && java.util.Objects.equals(before.observedOther(), now.observedOther())
      && java.util.Objects.equals(before.observedTcp(), now.observedTcp()) && before.tcpPort() == now.tcpPort()
      && before.nat().equals(now.nat()) && before.privateEndpoints().equals(now.privateEndpoints());
    if (same && now.registeredAtMs() - last < (now.expiresAtMs() - now.registeredAtMs()) / 3) return;
    publishedAt.put(now.peerId(), now.registeredAtMs());
    shared.publish(now);
  }

  private Future<ControlMessage> connect(Connect c, InboundControl in) {
    Coordinator.Outcome out = coordinator.connect(c, in.sender());
    if (shared != null && out.failure() != null && out.failure().code() == Failure.NOT_FOUND.code()) {
      // not registered here: maybe with another coordinator of the cluster
      return shared.lookup(c.target()).recover(err -> Future.succeededFuture()).compose(rec -> {
        boolean elsewhere = rec != null && !rec.ownNode() && !rec.owner().equals(coordinator.selfPeerId());
        Coordinator.Outcome remote = elsewhere ? coordinator.introduce(c, in.sender(), rec) : out;
        if (remote.failure() != null) return answer(in, remote.failure());
        Coordinator.Introduction intro = remote.introduction();
        // the target's coordinator tells the target first; the requester's punch then meets an open hole sooner
        return mesh.deliver(rec.owner(), rec.peerId(), ControlMessage.toBytes(intro.toTarget()))
          .transform(ar -> answer(in, ar.succeeded() ? intro.toRequester()
            : new ControlMessage.ConnectFail(c.txn(), Failure.UNREACHABLE.code(),
              "coordinator " + rec.owner() + " of peer " + rec.peerId() + " did not take the introduction")));
      });
    }
    if (out.failure() != null) return answer(in, out.failure());
    Coordinator.Introduction intro = out.introduction();
    if (intro.targetIsLocal()) {
      toOwnNode.accept(new InboundControl(intro.toTarget(), null, null));
    } else {
      send(in.via(), intro.toTarget(), intro.targetAddress());
      // the target hears of the requester only through this datagram, and nothing asks again if it is
      // lost: a second copy a little later (the session ignores an introduction it already has)
      if (scheduler != null) scheduler.schedule(INTRODUCE_REPEAT_MS, () -> send(in.via(), intro.toTarget(), intro.targetAddress()));
    }
    return answer(in, intro.toRequester());
  }

  private void relay(ControlMessage.Relay r, InboundControl in) {
    Coordinator.Forward f = coordinator.relay(r, in.sender());
    if (f == null || (f.to() == null && shared == null)) {
      counters.drop(Drop.RELAY_REFUSED);
    } else if (f.to() != null) {
      counters.relayForwarded(r.frame().length);
      send(in.via(), f.message(), f.to());
    } else {
      byte[] frame = ControlMessage.toBytes(f.message());
      shared.lookup(r.to()).onComplete(ar -> {
        PeerRecord rec = ar.succeeded() ? ar.result() : null;
        if (rec == null || rec.owner().equals(coordinator.selfPeerId())) {
          counters.drop(Drop.RELAY_REFUSED);
        } else {
          counters.relayForwarded(r.frame().length);
          mesh.forward(rec.owner(), r.to(), frame);
        }
      });
    }
  }

  /**
   * Another coordinator of the cluster hands us {@code frame} (an encoded INTRODUCE or RELAYED)
   * for {@code peerId}: sent from our main socket to where the peer registered with us.
   *
   * @return false when the peer is not registered here
   */
  public boolean deliverFromCluster(String peerId, byte[] frame) {
    InetSocketAddress to = coordinator.reachable(peerId);
    if (to == null || mainSocket == null) {
      counters.drop(Drop.RELAY_REFUSED);
      return false;
    }
    mainSocket.get().send(Unpooled.wrappedBuffer(frame), to);
    return true;
  }

  private void probe(ControlMessage.ProbeAsk ask, InboundControl in) {
    // bounded: at most MAX_PROBES answers pending, none later than MAX_PROBE_DELAY_MS
    if (scheduler == null || in.sender() == null || probesPending >= MAX_PROBES || ask.delayMs() > MAX_PROBE_DELAY_MS) {
      counters.drop(Drop.UNEXPECTED_CONTROL);
      return;
    }
    probesPending++;
    PacketSocket via = in.via();
    InetSocketAddress to = in.sender();
    scheduler.schedule(ask.delayMs(), () -> {
      probesPending--;
      send(via, new ControlMessage.ProbeEcho(ask.txn()), to);
    });
  }

  /** Sends {@code answer} to a remote requester, or returns it to the own node (failed if {@code null}: refused). */
  private static Future<ControlMessage> answer(InboundControl in, ControlMessage answer) {
    if (in.sender() == null) return answer == null ? Future.failedFuture("registration refused") : Future.succeededFuture(answer);
    if (answer != null) send(in.via(), answer, in.sender());
    return Future.succeededFuture();
  }

  /** The probe socket is bound on {@code port}: REGISTERs arriving there are answered as probes. */
  public void probePort(int port) {
    this.probePort = port;
    coordinator.probePort(port);
  }

  /** Drops expired registrations (heartbeat tick). */
  public void tick() {
    if (coordinator.expire() > 0 || publishedAt.size() > coordinator.size()) {
      publishedAt.keySet().removeIf(peer -> coordinator.registered(peer) == null);
    }
  }

  /** Peers registered here. */
  public int registered() {
    return coordinator.size();
  }


  private static void send(PacketSocket via, ControlMessage msg, InetSocketAddress to) {
    via.send(ControlMessage.encode(via.alloc(), msg, 0), to);
  }
}
