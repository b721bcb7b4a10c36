package io.p2pnode;

import io.p2pnode.bus.ApiVerticle;
import io.p2pnode.bus.BridgeServer;
import io.p2pnode.bus.EventBusDelivery;
import io.p2pnode.cluster.CoordinatorCluster;
import io.p2pnode.cluster.VertxFactory;
import io.p2pnode.registry.SharedRegistry;
import io.p2pnode.config.ConfigException;
import io.p2pnode.config.Endpoints;
import io.p2pnode.crypto.Identity;
import io.p2pnode.crypto.PeerIds;
import io.p2pnode.wire.PeerKey;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.heartbeat.HeartbeatVerticle;
import io.p2pnode.heartbeat.NatTimeoutProber;
import io.p2pnode.http.NodeOperations;
import io.p2pnode.http.NodeProbe;
import io.p2pnode.metrics.LoopWatchdog;
import io.p2pnode.metrics.MessageCounting;
import io.p2pnode.punch.Coordinator;
import io.p2pnode.punch.CoordinatorVerticle;
import io.p2pnode.punch.RegistrationGuard;
import io.p2pnode.punch.RelayLimiter;
import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.registry.LocalPeerRegistry;
import io.p2pnode.bus.Addresses;
import io.p2pnode.punch.CoordinatorEndpoint;
import io.p2pnode.session.ControlDispatcher;
import io.p2pnode.session.ControlPlane;
import io.p2pnode.session.ControlVerticle;
import io.p2pnode.session.PunchStats;
import io.p2pnode.session.SessionHandle;
import io.p2pnode.session.VerticleSessionHost;
import io.p2pnode.session.SessionDeps;
import io.p2pnode.session.SessionManager;
import io.p2pnode.time.Clock;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Addrs;
import io.p2pnode.transport.ControlBudget;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.transport.LocalEndpoints;
import io.p2pnode.transport.NettyUdpSocket;
import io.p2pnode.transport.PacketRouter;
import io.p2pnode.transport.PathSocketConfig;
import io.p2pnode.transport.UdpListenerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * One p2p node: deploys the listeners, the coordinator (if enabled), the control plane
 * (sessions + rendezvous), the heartbeat, the API and the bridge on a Vert.x instance, and
 * stops them in the order that lets it say goodbye.
 */
public final class P2pNode {
  private static final Logger LOG = Logger.getLogger("p2p.node");

  private final Vertx vertx;
  private final boolean ownsVertx;
  /** As configured, then with the peer id derived from the identity when none was configured. */
  private NodeOptions options;
  private Identity identity;
  private final Counters counters = new Counters();
  private final PunchStats punchStats = new PunchStats();
  private final java.util.concurrent.atomic.AtomicLong reassemblyBytes = new java.util.concurrent.atomic.AtomicLong();
  private NatTimeoutProber natProber;
  private final ControlBudget controlBudget = new ControlBudget(ControlBudget.DEFAULT_MAX_QUEUED);
  private final ListenerGroup listenerGroup = new ListenerGroup();
  private final List<UdpListenerVerticle> listeners = new ArrayList<>();
  private final Map<Integer, SessionHandle> routes = new ConcurrentHashMap<>();
  private final List<String> deployments = new ArrayList<>();
  private ControlVerticle control;
  private BridgeServer bridge;
  private InetSocketAddress udp;
  private io.p2pnode.transport.TcpListenerVerticle tcpListener;
  private int probePort;
  private volatile SharedRegistry sharedRegistry;
  private LoopWatchdog watchdog;
  private volatile LocalPeerRegistry coordinatorRegistry;
  private NodeOperations operations;
  private io.p2pnode.bus.NodeStreams streams;
  private final io.netty.channel.EventLoop home;

  private P2pNode(Vertx vertx, boolean ownsVertx, NodeOptions options) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.options = options;
    this.home = homeLoop(vertx);
  }

  /**
   * The event loop of the thread that starts the node: an application's verticle, or for a plain
   * thread the context Vert.x keeps for that thread, where the consumers it registers later run.
   * Sessions peers open prefer it, so that their deliveries to those consumers cross no thread.
   */
  private static io.netty.channel.EventLoop homeLoop(Vertx vertx) {
    io.vertx.core.Context c = io.vertx.core.internal.ContextInternal.current();
    return VerticleSessionHost.loopOf(vertx, c != null ? c : vertx.getOrCreateContext());
  }

  /** Creates a Vert.x instance (clustered if configured) and starts a node on it. */
  public static Future<P2pNode> start(NodeOptions options) {
    // On failure the Vert.x instance is closed without waiting: callbacks of a closed instance never run.
    return VertxFactory.create(options).compose(vertx -> new P2pNode(vertx, true, options).deploy()
      .onFailure(err -> vertx.close()));
  }

  /**
   * Starts a node on an existing Vert.x instance (one node per instance: the API addresses are
   * per bus). On failure, whatever was deployed is undeployed again.
   */
  public static Future<P2pNode> start(Vertx vertx, NodeOptions options) {
    P2pNode node = new P2pNode(vertx, false, options);
    return node.deploy().recover(err -> node.undeployAll().onComplete(x -> node.release()).transform(x -> Future.failedFuture(err)));
  }

  /** What the node put on the Vert.x instance besides verticles: timers, meters. */
  private void release() {
    if (streams != null) streams.unregister(vertx);
    if (operations != null) operations.close();
    if (watchdog != null) watchdog.stop();
  }

  private Future<Void> undeployAll() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.transform(x -> vertx.undeploy(id));
    }
    return chain;
  }

  private Future<P2pNode> deploy() {
    return loadIdentity().compose(v -> deployVerticles());
  }

  /**
   * The node's key pair: from {@code identity.keyFile} (created 0600 on first start) or fresh;
   * the peer id is derived from it unless configured, and a configured id that looks
   * self-certifying must be this key's.
   */
  private Future<Void> loadIdentity() {
    String file = options.identity().keyFile();
    return vertx.executeBlocking(() -> file.isEmpty() ? Identity.generate() : Identity.loadOrCreate(java.nio.file.Path.of(file)))
      .recover(err -> Future.failedFuture(new ConfigException("identity.keyFile", err.getMessage())))
      .compose(id -> {
        identity = id;
        if (options.peerId() == null) {
          options = options.withPeerId(id.peerId());
        } else if (PeerIds.isSelfCertifying(options.peerId()) && !PeerIds.matches(options.peerId(), id.publicKey())) {
          return Future.failedFuture(new ConfigException("peerId", "\"" + options.peerId() + "\" has the form of a self-certifying"
            + " id but is not the id of this node's key (" + id.peerId() + "); use that, or a name of another form"));
        }
        return Future.succeededFuture();
      });
  }

  private Future<P2pNode> deployVerticles() {
    watchdog = LoopWatchdog.of(vertx);
    watchdog.start();
    streams = new io.p2pnode.bus.NodeStreams(options.peerId(), () -> control.plane().manager(), options.session().streamWindowBytes());
    int instances = options.listen().instances();
    if (instances == 0) instances = eventLoops();
    if (instances > 1 && !vertx.isNativeTransportEnabled()) {
      Throwable cause = vertx.unavailableNativeTransportCause();
      return Future.failedFuture(new IllegalStateException("listen.instances=" + instances
        + " needs SO_REUSEPORT on the native epoll transport, which is unavailable ("
        + (cause == null ? "not enabled" : cause.getMessage()) + "); set listen.instances to 1 or run on Linux x86_64"));
    }
    String portProblem = portTakenByAnotherProcess();
    if (portProblem != null) return Future.failedFuture(new IllegalStateException(portProblem));
    InboundControl.registerCodec(vertx.eventBus());
    PacketRouter router = new PacketRouter(counters, routes, PacketRouter.eventBusSink(vertx.eventBus(), controlBudget, counters),
      options.coordinator().enabled(), new io.p2pnode.transport.SourceRateLimiter(options.listen().controlRatePerIp(),
        io.p2pnode.transport.SourceRateLimiter.DEFAULT_MAX_SOURCES, Clock.SYSTEM));
    boolean reusePort = vertx.isNativeTransportEnabled();
    InetSocketAddress first = new InetSocketAddress(options.listen().host(), options.listen().port());
    int more = instances - 1;
    return deployListener(first, reusePort, router)
      .compose(v -> {
        udp = listeners.get(0).localAddress();
        List<Future<String>> rest = new ArrayList<>();
        for (int i = 0; i < more; i++) rest.add(deployListener(udp, reusePort, router));
        return Future.all(rest);
      })
      .compose(v -> deployTcp(router))
      .compose(v -> options.coordinator().enabled() && options.coordinator().probePort() >= 0 ? deployProbe(router)
        : Future.succeededFuture())
      .compose(v -> options.coordinator().enabled() ? deploy(new CoordinatorVerticle(this::newCoordinatorEndpoint, controlBudget, probePort,
        vertx.isClustered() ? CoordinatorCluster.join(vertx, options.peerId(), listenerGroup::any, r -> sharedRegistry = r) : null))
        : Future.succeededFuture())
      .compose(v -> deploy(control = newControl(router)))
      .compose(v -> deploy(new HeartbeatVerticle(options.heartbeat())))
      .compose(v -> deploy(new ApiVerticle(options.peerId(), () -> control.plane().manager(), this::status,
        options.session().sendTimeoutMs(), options.session().maxInFlight(), counters)))
      .compose(v -> startBridge())
      .compose(v -> startHttp())
      .map(v -> {
        streams.register(vertx);
        LOG.info("p2p-node ready peerId=" + options.peerId() + " udp=" + Endpoints.format(udp));
        return this;
      });
  }

  /**
   * SO_REUSEPORT would let this node silently share its port with another process of the same
   * user (and split its flows). A plain bind first proves the port is free.
   */
  private String portTakenByAnotherProcess() {
    if (options.listen().port() == 0) return null;
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
      probe.bind(new InetSocketAddress(options.listen().host(), options.listen().port()));
      return null;
    } catch (java.io.IOException e) {
      return "listen.port " + options.listen().port() + " on " + options.listen().host() + " is in use (" + e.getMessage() + ")";
    }
  }

  /** Connections idle this many keepalive maxima are dead whatever their owner thinks. */
  private static final int TCP_IDLE_KEEPALIVES = 3;
  /** An accepted connection must carry a proven registration or an authenticated handshake this soon. */
  private static final long TCP_UNCLAIMED_MS = 10_000;
  /** How long a closing connection may take to deliver what it owes. */
  private static final long TCP_DRAIN_MS = 1_000;

  /**
   * The TCP side ({@code listen.tcp}): listener on {@code listen.tcpPort} (the UDP port's number
   * by default), whose frames go through the same router as datagrams. Needs epoll for
   * SO_REUSEPORT (the port is shared by the listener and every outgoing connection); without it
   * the node runs on UDP alone and says so.
   */
  private Future<Void> deployTcp(PacketRouter router) {
    if (!options.listen().tcp()) return Future.succeededFuture();
    if (!vertx.isNativeTransportEnabled()) {
      LOG.warning("listen.tcp: TCP punching needs SO_REUSEPORT on the native epoll transport, which is unavailable; UDP only");
      return Future.succeededFuture();
    }
    int port = options.listen().tcpPort() == 0 ? udp.getPort() : options.listen().tcpPort();
    String taken = tcpPortTakenByAnotherProcess(port);
    if (taken != null && options.listen().tcpPort() == 0) {
      LOG.warning(taken + "; running on UDP only"); // TCP was not asked for by number: a UDP node still starts
      return Future.succeededFuture();
    }
    if (taken != null) return Future.failedFuture(new IllegalStateException(taken));
    var h = options.heartbeat();
    io.p2pnode.transport.TcpTransport.Config cfg = new io.p2pnode.transport.TcpTransport.Config(options.listen().maxDatagramBytes(),
      TCP_UNCLAIMED_MS, TCP_IDLE_KEEPALIVES * Math.max(h.maxIntervalMs(), h.timeoutMs()), TCP_DRAIN_MS,
      options.listen().socketBufferBytes());
    java.util.function.IntFunction<io.p2pnode.transport.TcpListenerVerticle> on = p -> new io.p2pnode.transport.TcpListenerVerticle(
      new InetSocketAddress(options.listen().host(), p), cfg, router, listenerGroup::any, counters);
    io.p2pnode.transport.TcpListenerVerticle v = on.apply(port);
    return deploy(v).<Void>mapEmpty().onSuccess(x -> {
      tcpListener = v;
      LOG.info("tcp listening on " + Endpoints.format(v.transport().localAddress()));
    }).recover(err -> {
      if (options.listen().port() == 0 && options.listen().tcpPort() == 0) {
        // "any port" for both: the number UDP got may be taken over TCP; any TCP port will do (registrations report it)
        LOG.warning("TCP port " + port + " (the UDP port's number) is taken: listening on any free TCP port instead");
        io.p2pnode.transport.TcpListenerVerticle any = on.apply(0);
        return deploy(any).<Void>mapEmpty().onSuccess(y -> tcpListener = any);
      }
      return Future.failedFuture(new IllegalStateException("cannot listen on TCP " + options.listen().host() + ":" + port
        + " (listen.tcpPort; listen.tcp=false runs without TCP): " + err.getMessage(), err));
    });
  }

  /**
   * As for UDP: SO_REUSEPORT would let another process of the same user listen on our TCP port
   * too (and take half the connections). A bind without it fails on a port someone listens on;
   * SO_REUSEADDR lets it pass a TIME_WAIT left by an earlier run. Not checked for an ephemeral
   * UDP port's number (the fallback below handles a taken one).
   */
  private String tcpPortTakenByAnotherProcess(int port) {
    if (options.listen().port() == 0 && options.listen().tcpPort() == 0) return null;
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(options.listen().host(), port));
      return null;
    } catch (java.io.IOException e) {
      return "listen.tcpPort " + port + " on " + options.listen().host() + " is in use (" + e.getMessage()
        + "); set listen.tcpPort to a free port, or listen.tcp=false";
    }
  }

  private io.p2pnode.transport.TcpTransport tcp() {
    return tcpListener == null ? null : tcpListener.transport();
  }

  private ControlVerticle newControl(PacketRouter router) {
    Scheduler scheduler = Scheduler.of(vertx);
    natProber = new NatTimeoutProber(scheduler, options.heartbeat().intervalMs(), options.heartbeat().maxIntervalMs());
    return new ControlVerticle(ctx -> {
      List<InetSocketAddress> coordinators = reachableCoordinators();
      RendezvousClient rendezvous = new RendezvousClient(options.peerId(), identity, options.identity().networkKey(), LocalEndpoints.of(udp),
        coordinators,
        options.coordinator().enabled() ? RendezvousClient.LocalCoordinator.eventBus(vertx.eventBus()) : null,
        natProber::keepaliveMs, scheduler, listenerGroup::any, counters);
      if (tcp() != null) {
        rendezvous.tcp(tcp().localAddress().getPort(),
          remote -> tcp().connect((ContextInternal) ctx, remote, io.p2pnode.punch.RendezvousClient.TCP_CONNECT_TIMEOUT_MS));
      }
      if (options.heartbeat().measureNatTimeout() && !coordinators.isEmpty()) {
        // its own socket, so its NAT mapping stays silent between probes
        natProber.start(coordinators.get(0), handler -> NettyUdpSocket.bind((ContextInternal) ctx,
          new InetSocketAddress(options.listen().host(), 0), false, 65_536, options.listen().maxDatagramBytes(), handler, counters)
          .map(sock -> (io.p2pnode.transport.PacketSocket) sock));
      }
      SessionDeps deps = new SessionDeps(options.peerId(), options.session(), options.heartbeat(),
        options.listen().maxDatagramBytes(), scheduler, counters,
        MessageCounting.counted(new EventBusDelivery(vertx.eventBus()), counters),
        rendezvous::natType, rendezvous::publicEndpoint, punchStats, reassemblyBytes, natProber::keepaliveMs,
        options.session().encryption() ? identity.keyPair() : null, streams);
      PathSocketConfig connected = options.listen().connectedSockets() && vertx.isNativeTransportEnabled()
        ? new PathSocketConfig(new InetSocketAddress(options.listen().host(), udp.getPort()), options.listen().socketBufferBytes(),
          options.listen().maxPathDatagramBytes(), router, counters)
        : null;
      VerticleSessionHost host = new VerticleSessionHost(vertx, listenerGroup, connected, this::tcp, rendezvous::coordinatorNow);
      host.homeLoop(home);
      // birthday probing's extra sockets: ephemeral ports, through the same router as the listeners
      host.hardNat(new PathSocketConfig(new InetSocketAddress(options.listen().host(), 0), options.listen().socketBufferBytes(),
        options.listen().maxDatagramBytes(), router, counters), options.punch(),
        new io.p2pnode.punch.ProbeBudget(options.punch().birthdayRate(),
          options.punch().hardSockets() * io.p2pnode.punch.ProbeBudget.CONCURRENT_TRIES, scheduler.clock()), rendezvous::natProfile);
      SessionManager manager = new SessionManager(deps, host, rendezvous, routes,
        task -> ctx.runOnContext(x -> task.run()),
        (address, event) -> vertx.eventBus().publish(address, event, Addresses.LOCAL_ONLY));
      return new ControlPlane(rendezvous, manager, new ControlDispatcher(manager, rendezvous, counters));
    }, controlBudget);
  }

  /**
   * The {@code rendezvous} entries this node's UDP socket can send to ({@link Addrs#reaches}): an
   * IPv4 listener skips IPv6 coordinators, with a warning naming them ({@code listen.host} "::"
   * listens on both families).
   */
  private List<InetSocketAddress> reachableCoordinators() {
    List<InetSocketAddress> all = options.rendezvousAddresses();
    List<InetSocketAddress> ok = Addrs.reachable(udp, all);
    if (ok.size() < all.size()) {
      LOG.warning(() -> "rendezvous entries of the other IP family than listen.host " + options.listen().host() + " are skipped: "
        + all.stream().filter(a -> !Addrs.reaches(udp, a)).map(Endpoints::format).toList()
        + " (listen.host \"::\" listens on IPv4 and IPv6)");
    }
    return ok;
  }

  /** The rendezvous server's logic: registry, registration guard (this node's key), relay limits. */
  private CoordinatorEndpoint newCoordinatorEndpoint(io.vertx.core.eventbus.EventBus eb) {
    var c = options.coordinator();
    java.util.Set<PeerKey> allowed = new java.util.HashSet<>();
    c.allowedKeys().forEach(k -> allowed.add(PeerKey.fromBase64(k)));
    return new CoordinatorEndpoint(
      new Coordinator(options.peerId(), coordinatorRegistry = new LocalPeerRegistry(c.maxPeers()), Clock.SYSTEM, c.registrationTtlMs(),
        new RelayLimiter(c.relayRateBytesPerSec(), c.relayMaxBytes())),
      new RegistrationGuard(identity.keyPair(), options.identity().networkKey(), allowed, c.maxPeers()), counters,
      in -> eb.send(Addresses.INTERNAL_CONTROL, in, InboundControl.LOCAL), Scheduler.of(vertx));
  }

  /** The coordinator's probe socket: same router, its own port, never used by sessions to send. */
  private Future<String> deployProbe(PacketRouter router) {
    UdpListenerVerticle probe = new UdpListenerVerticle(new InetSocketAddress(options.listen().host(),
      options.coordinator().probePort()), false, 1 << 20, options.listen().maxDatagramBytes(), router, counters, new ListenerGroup());
    return deploy(probe).onSuccess(id -> probePort = probe.localAddress().getPort());
  }

  private Future<String> deployListener(InetSocketAddress bind, boolean reusePort, PacketRouter router) {
    UdpListenerVerticle l = new UdpListenerVerticle(bind, reusePort, options.listen().socketBufferBytes(),
      options.listen().maxDatagramBytes(), router, counters, listenerGroup);
    return deploy(l).onSuccess(id -> listeners.add(l));
  }

  private Future<String> deploy(io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle, new DeploymentOptions()).onSuccess(deployments::add);
  }

  private Future<Void> startBridge() {
    if (!options.bridge().enabled()) return Future.succeededFuture();
    bridge = new BridgeServer(vertx, options.bridge());
    return bridge.listen()
      .recover(err -> Future.failedFuture(new IllegalStateException("cannot listen on bridge.port " + options.bridge().host()
        + ":" + options.bridge().port() + ": " + err.getMessage(), err)))
      .onSuccess(p -> LOG.info("bridge listening on " + options.bridge().host() + ":" + p)).mapEmpty();
  }

  /** {@code http.*}: metrics, health and the dashboard (see {@link NodeOperations}). */
  private Future<Void> startHttp() {
    if (!options.http().enabled()) return Future.succeededFuture();
    operations = new NodeOperations(vertx, options.http(), counters, punchStats, watchdog,
      options.coordinator().enabled() ? () -> coordinatorRegistry == null ? 0 : coordinatorRegistry.size() : null, new NodeProbe() {
        public Future<JsonObject> status() { return P2pNode.this.status(); }
        public JsonObject eventLoops() { return watchdog.toJson(); }
        public Boolean clusterMember() { return P2pNode.this.clusterMember(); }
      });
    return operations.start(this::deploy);
  }

  /** Null unless {@code cluster.enabled}; then whether this node is a member of its cluster now. */
  private Boolean clusterMember() {
    if (!options.cluster().enabled()) return null;
    if (!vertx.isClustered()) return false;
    var cm = ((VertxInternal) vertx).clusterManager();
    return cm.isActive() && cm.getNodes().contains(cm.getNodeId());
  }

  private int eventLoops() {
    int n = 0;
    for (var ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) n++;
    return Math.max(1, n);
  }

  /** {@code p2p.status}. */
  Future<JsonObject> status() {
    Promise<JsonObject> p = Promise.promise();
    control.context().runOnContext(v -> {
      try {
        p.complete(statusNow());
      } catch (RuntimeException e) {
        p.tryFail(e);
      }
    });
    return p.future();
  }

  private JsonObject statusNow() {
    RendezvousClient r = control.plane().rendezvous();
    JsonArray perListener = new JsonArray();
    listeners.forEach(l -> perListener.add(l.received()));
    InetSocketAddress pub = r.publicEndpoint();
    return new JsonObject()
      .put("peerId", options.peerId())
      .put("key", PeerKey.of(identity.publicKey()).base64())
      .put("listen", Endpoints.format(udp))
      .put("publicEndpoint", pub == null ? null : Endpoints.format(pub))
      .put("natType", r.natType().wireName())
      .put("nat", r.natProfile().toJson())
      .put("coordinators", r.status())
      .put("coordinator", new JsonObject().put("enabled", options.coordinator().enabled()).put("probePort", probePort))
      .put("cluster", new JsonObject().put("enabled", options.cluster().enabled())
        .put("members", vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().getNodes().size() : 1)
        .put("registry", sharedRegistry == null ? null : sharedRegistry.stats()))
      .put("sessions", control.plane().manager().size())
      .put("faults", counters.faults())
      .put("nativeTransport", vertx.isNativeTransportEnabled())
      .put("transport", io.p2pnode.transport.UdpOffload.inUse(vertx.isNativeTransportEnabled()).toJson()
        .put("busyPollMicros", io.p2pnode.transport.BusyPollTransport.micros(vertx)))
      .put("connectedSockets", options.listen().connectedSockets() && vertx.isNativeTransportEnabled())
      .put("listeners", perListener)
      .put("tcp", tcp() == null ? null : tcp().stats())
      .put("counters", counters.toJson())
      .put("punch", punchStats.toJson())
      .put("natTimeout", natProber.toJson())
      .put("eventLoops", watchdog.toJson());
  }


  /**
   * Stops gracefully: BYE to every peer, UNREGISTER to every coordinator, then sockets closed.
   * Closes the Vert.x instance if this node created it.
   */
  public Future<Void> stop() {
    Future<Void> sessions = control == null || control.plane() == null ? Future.succeededFuture()
      : control.plane().manager().closeAll();
    return sessions.transform(x -> bridge == null ? Future.succeededFuture() : bridge.close())
      .transform(x -> undeployAll())
      .onComplete(x -> release())
      .transform(x -> ownsVertx ? vertx.close() : Future.succeededFuture());
  }

  public String peerId() { return options.peerId(); }
  public Vertx vertx() { return vertx; }
  public NodeOptions options() { return options; }
  /** The bound UDP address (actual port when {@code listen.port} was 0). */
  public InetSocketAddress udpAddress() { return udp; }
  public Counters counters() { return counters; }
  /** The listener verticles, for per-instance counts. */
  public List<UdpListenerVerticle> listeners() { return List.copyOf(listeners); }
  /** The HTTP port listened on ({@code http.port}), or -1 when HTTP is off. */
  public int httpPort() { return operations == null ? -1 : operations.port(); }
}
