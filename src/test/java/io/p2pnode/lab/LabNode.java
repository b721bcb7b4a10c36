package io.p2pnode.lab;

import io.p2pnode.bus.OrderedDispatch;
import io.vertx.core.Promise;

import io.netty.buffer.ByteBuf;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.heartbeat.NatTimeoutProber;
import io.p2pnode.punch.Coordinator;
import io.p2pnode.punch.CoordinatorEndpoint;
import io.p2pnode.punch.RelayLimiter;
import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.registry.LocalPeerRegistry;
import io.p2pnode.session.ControlDispatcher;
import io.p2pnode.session.PeerSession;
import io.p2pnode.session.PunchStats;
import io.p2pnode.session.SessionDeps;
import io.p2pnode.session.SessionHandle;
import io.p2pnode.session.SessionHost;
import io.p2pnode.session.SessionManager;
import io.p2pnode.transport.ControlSink;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.transport.PacketRouter;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A node on a {@link LabHost}: the same router, coordinator, rendezvous client, session manager
 * and sessions as a real node, on a simulated socket and the lab's manual clock, with sessions
 * run inline on the lab's single thread.
 */
public final class LabNode {
  public final String peerId;
  public final Counters counters = new Counters();
  public final List<String> events = new ArrayList<>();
  public final List<SessionCodec.Data> inbound = new ArrayList<>();
  public final PunchStats stats = new PunchStats();
  public final NatTimeoutProber prober;
  final PacketSocket socket;
  final RendezvousClient rendezvous;
  final SessionManager manager;
  final CoordinatorEndpoint coordinator;
  /** The node's probe pace (birthday probing). */
  public final io.p2pnode.punch.ProbeBudget probeBudget;
  private final io.p2pnode.session.HardNatDeps hardNat;
  private final OrderedDispatch dispatch;

  /**
   * @param config node config (peerId, coordinator.enabled, heartbeat, session); listen/bridge are ignored
   * @param coordinators the coordinators this node registers with (lab addresses)
   */
  public LabNode(LabNetwork net, LabHost host, int port, JsonObject config, List<InetSocketAddress> coordinators) {
    NodeOptions o = NodeOptions.fromJson(config);
    this.peerId = o.peerId();
    io.p2pnode.crypto.Identity identity = io.p2pnode.TestKeys.identity(peerId); // deterministic: the same roles every run
    prober = new NatTimeoutProber(net.clock, o.heartbeat().intervalMs(), o.heartbeat().maxIntervalMs());
    Map<Integer, SessionHandle> routes = new HashMap<>();
    ControlDispatcher[] dispatcher = new ControlDispatcher[1];
    CoordinatorEndpoint[] coord = new CoordinatorEndpoint[1];
    ControlSink sink = new ControlSink() {
      public void toCoordinator(InboundControl in) {
        coord[0].handle(in);
      }

      public void toNode(InboundControl in) {
        dispatcher[0].handle(in);
      }
    };
    io.p2pnode.transport.SourceRateLimiter perSource = new io.p2pnode.transport.SourceRateLimiter(o.listen().controlRatePerIp(),
      io.p2pnode.transport.SourceRateLimiter.DEFAULT_MAX_SOURCES, net.clock.clock());
    PacketRouter router = new PacketRouter(counters, routes, sink, o.coordinator().enabled(), perSource);
    socket = host.bind(port, router);
    coordinator = o.coordinator().enabled()
      ? new CoordinatorEndpoint(new Coordinator(peerId, new LocalPeerRegistry(o.coordinator().maxPeers()), net.clock.clock(),
        o.coordinator().registrationTtlMs(), new RelayLimiter(o.coordinator().relayRateBytesPerSec(),
        o.coordinator().relayMaxBytes())), new io.p2pnode.punch.RegistrationGuard(identity.keyPair(), o.identity().networkKey(),
        java.util.Set.of(), o.coordinator().maxPeers()), counters, in -> dispatcher[0].handle(in), net.clock)
      : null;
    coord[0] = coordinator;
    if (coordinator != null) {
      // the probe socket: same router on the next port, so peers can detect their NAT's mapping behaviour
      host.bind(port + 1, new PacketRouter(counters, routes, sink, true, perSource));
      coordinator.probePort(port + 1);
    }
    RendezvousClient.LocalCoordinator local = coordinator == null ? null : m -> coordinator.handle(new InboundControl(m, null, null));
    rendezvous = new RendezvousClient(peerId, identity, o.identity().networkKey(), List.of(socket.localAddress()), coordinators, local,
      () -> prober.keepaliveMs(), net.clock, () -> socket, counters);
    if (o.heartbeat().measureNatTimeout() && !coordinators.isEmpty()) {
      prober.start(coordinators.get(0), handler -> Future.succeededFuture(host.bind(port + 100, handler)));
    }
    SessionDeps deps = new SessionDeps(peerId, o.session(), o.heartbeat(), o.listen().maxDatagramBytes(), net.clock, counters,
      (from, data) -> {
        inbound.add(data);
        return Future.succeededFuture(data.kind() == SessionCodec.KIND_REQUEST ? data.body() : null);
      }, rendezvous::natType, rendezvous::publicEndpoint, stats, new java.util.concurrent.atomic.AtomicLong(), prober::keepaliveMs,
      o.session().encryption() ? identity.keyPair() : null);
    probeBudget = new io.p2pnode.punch.ProbeBudget(o.punch().birthdayRate(),
      o.punch().hardSockets() * io.p2pnode.punch.ProbeBudget.CONCURRENT_TRIES, net.clock.clock());
    hardNat = new io.p2pnode.session.HardNatDeps(o.punch(), new io.p2pnode.punch.ProbeSockets() {
      public Future<PacketSocket> open(int ttl, io.p2pnode.transport.PacketHandler handler) {
        PacketSocket s = host.bindEphemeral(handler);
        s.ttl(ttl);
        return Future.succeededFuture(s);
      }

      public io.p2pnode.transport.PacketHandler router() {
        return router;
      }
    }, probeBudget, rendezvous::natProfile);
    manager = new SessionManager(deps, new InlineHost(socket), rendezvous, routes, Runnable::run,
      (address, event) -> events.add(address + " " + event.encode()));
    dispatcher[0] = new ControlDispatcher(manager, rendezvous, counters);
    dispatch = new OrderedDispatch(Runnable::run, manager::existing, manager::open, o.session().maxInFlight());
    heartbeat(net, Math.max(5, o.heartbeat().intervalMs() / 4));
    rendezvous.refresh();
  }

  private final List<PeerSession> sessions = new ArrayList<>();

  private void heartbeat(LabNetwork net, long tickMs) {
    net.clock.schedule(tickMs, () -> {
      rendezvous.refresh();
      if (coordinator != null) coordinator.tick();
      new ArrayList<>(sessions).forEach(PeerSession::tick);
      heartbeat(net, tickMs);
    });
  }

  /** Connects to {@code peerId}; the future completes as the lab clock advances. */
  public Future<JsonObject> connect(String peerId) {
    return manager.connect(peerId).compose(h -> h.call(s -> Future.succeededFuture(s.toJson())));
  }

  /**
   * Sends {@code body} to {@code address} on {@code peerId} (connecting on demand), in the order of
   * the calls from the first one on: the same {@link OrderedDispatch} as the node's API.
   */
  public Future<Object> send(String peerId, String address, Object body) {
    Promise<Object> p = Promise.promise();
    dispatch.dispatch(peerId, h -> {
      if (h.failed()) p.fail(h.cause());
      else h.result().run(s -> s.send(SessionCodec.KIND_SEND, address, body, 10_000).onComplete(p));
    });
    return p.future();
  }

  /** This node's NAT profile (mapping, port preservation, allocation) as detected. */
  public io.p2pnode.wire.NatProfile natProfile() {
    return rendezvous.natProfile();
  }

  /** This node's NAT mapping behaviour as detected from its coordinators' acknowledgements. */
  public String natType() {
    return rendezvous.natType().wireName();
  }

  public Future<JsonObject> peers() {
    return manager.peers();
  }

  /** Sessions run inline on the lab thread. */
  private final class InlineHost implements SessionHost {
    private final PacketSocket socket;

    InlineHost(PacketSocket socket) {
      this.socket = socket;
    }

    @Override
    public Future<SessionHandle> open(io.netty.channel.EventLoop near, Function<PacketSocket, PeerSession> factory) {
      PeerSession s = factory.apply(socket);
      s.hardNat(hardNat);
      sessions.add(s);
      return Future.succeededFuture(new SessionHandle() {
        boolean up;

        public void run(Consumer<PeerSession> action) {
          action.accept(s);
        }

        public <T> Future<T> call(Function<PeerSession, Future<T>> action) {
          try {
            return action.apply(s);
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        }

        public boolean isUp() {
          return up;
        }

        public void setUp(boolean up) {
          this.up = up;
        }

        public void onFrame(FrameType type, ByteBuf frame, InetSocketAddress sender) {
          s.onFrame(type, frame, sender);
        }
      });
    }

    @Override
    public Future<Void> close(SessionHandle handle) {
      handle.run(s -> {
        s.close("closed", true);
        sessions.remove(s);
      });
      return Future.succeededFuture();
    }
  }
}
