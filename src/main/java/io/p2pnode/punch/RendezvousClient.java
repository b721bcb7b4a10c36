package io.p2pnode.punch;

import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.Endpoints;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Addrs;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.PeerKey;
import io.p2pnode.wire.Bits128;
import io.p2pnode.crypto.Identity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's side of rendezvous: registers with every coordinator in {@code rendezvous} (and with
 * its own coordinator when it runs one), refreshes registrations on the heartbeat, and asks for
 * introductions. Confined to the session manager's context.
 */
public final class RendezvousClient {
  /** CONNECT is re-sent this often while no answer arrives... */
  static final long CONNECT_RETRY_MS = 300;
  /** ...this many times before the coordinator counts as unreachable. */
  static final int CONNECT_TRIES = 4;
  /** A connect right after start waits this long for the first registration to be acknowledged. */
  static final long REGISTRATION_WAIT_MS = 3_000;
  /** How long a registration connection to a coordinator may take to open. */
  public static final long TCP_CONNECT_TIMEOUT_MS = 3_000;

  /** One coordinator as seen from this node. */
  private final class Link {
    final InetSocketAddress address; // null: the node's own coordinator
    InetSocketAddress observed;
    InetSocketAddress probe; // the coordinator's probe socket, from its ack
    InetSocketAddress probeObserved;
    long lastAckNanos = -1;
    long lastRegisterNanos = Long.MIN_VALUE / 2;
    int registerTxn;
    /** The coordinator's key, the MAC key shared with it and its current cookie (from its challenge). */
    PeerKey coordinatorKey;
    byte[] macKey;
    Bits128 cookie = Bits128.ZERO;
    /** The transaction whose challenge was answered: one answer per registration, never a loop. */
    int answeredTxn;
    /** The registration connection over TCP (to the coordinator's port number over TCP), its state. */
    TcpEndpoint tcp;
    boolean tcpConnecting;
    int tcpTxn;
    int tcpAnsweredTxn;
    Bits128 tcpCookie = Bits128.ZERO;
    long tcpAckNanos = -1;
    long tcpConnectedNanos;
    long tcpRegisterNanos = Long.MIN_VALUE / 2;
    InetSocketAddress tcpObserved;
    String tcpError;

    Link(InetSocketAddress address) {
      this.address = address;
    }

    boolean udpRegistered() {
      return recent(lastAckNanos);
    }

    boolean tcpRegistered() {
      return tcp != null && tcp.link().isOpen() && recent(tcpAckNanos);
    }

    private boolean recent(long ackNanos) {
      return ackNanos >= 0 && scheduler.clock().nanoTime() - ackNanos < 3 * refreshMs.getAsLong() * 1_000_000L;
    }

    /** Where to send this coordinator requests: UDP while registered over it, else the TCP connection. */
    InetSocketAddress via() {
      return address == null || udpRegistered() || !tcpRegistered() ? address : tcp;
    }

    JsonObject status() {
      long now = scheduler.clock().nanoTime();
      JsonObject st = new JsonObject().put("address", address == null ? "self" : Endpoints.format(address))
        .put("registered", address == null ? udpRegistered() : udpRegistered() || tcpRegistered())
        .put("observed", observed == null ? null : Endpoints.format(observed))
        .put("probeObserved", probeObserved == null ? null : Endpoints.format(probeObserved))
        .put("lastAckAgoMs", lastAckNanos < 0 ? null : (now - lastAckNanos) / 1_000_000L);
      if (address != null && tcpConnect != null) {
        st.put("udp", new JsonObject().put("registered", udpRegistered()))
          .put("tcp", new JsonObject().put("registered", tcpRegistered()).put("connected", tcp != null && tcp.link().isOpen())
            .put("observed", tcpObserved == null ? null : Endpoints.format(tcpObserved)).put("lastError", tcpError)
            .put("lastAckAgoMs", tcpAckNanos < 0 ? null : (now - tcpAckNanos) / 1_000_000L));
      }
      return st;
    }
  }

  private final String selfPeerId;
  private final PeerKey key;
  private final Identity identity;
  private final byte[] networkKey;
  private final List<InetSocketAddress> privateEndpoints;
  private final List<Link> links = new ArrayList<>();
  private final Map<Integer, Promise<ControlMessage>> outstanding = new HashMap<>();
  private final LocalCoordinator local;
  private final Scheduler scheduler;
  private final Supplier<PacketSocket> socket;
  private final Counters counters;
  private final java.util.function.LongSupplier refreshMs;
  /** Recomputed on every acknowledgement; read by sessions on other threads. */
  private volatile NatProfile nat = NatProfile.UNKNOWN;
  private volatile InetSocketAddress publicEndpoint;
  /** Whether a UDP registration with a remote coordinator holds (or there is none to hold); read by sessions. */
  private volatile boolean udpWorks = true;
  private int tcpPort;
  private Function<InetSocketAddress, Future<TcpEndpoint>> tcpConnect;
  /** Per coordinator (its UDP address): how it is reached now ({@link Link#via}); read by sessions on other threads. */
  private final Map<InetSocketAddress, InetSocketAddress> viaNow = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The coordinator running in this node, asked directly.
   */
  @FunctionalInterface
  public interface LocalCoordinator {
    /** The coordinator's answer to a request of this node; fails when it refuses. */
    Future<ControlMessage> ask(ControlMessage request);

    /** Over the local event bus, to the {@link CoordinatorVerticle}. */
    static LocalCoordinator eventBus(EventBus eb) {
      return m -> eb.<InboundControl>request(Addresses.INTERNAL_COORDINATOR, new InboundControl(m, null, null), InboundControl.LOCAL)
        .map(reply -> reply.body().message());
    }
  }

  /**
   * @param identity   this node's key pair: its public key is registered, its private key proves it
   * @param networkKey the network's shared secret, mixed into registration proofs (empty: open network)
   * @param local  the node's own coordinator, or {@code null} when it runs none
   * @param refreshMs how often to refresh registrations (the keepalive interval: it holds the NAT mapping too)
   * @param socket the socket to send registrations and requests on
   */
  public RendezvousClient(String selfPeerId, Identity identity, byte[] networkKey, List<InetSocketAddress> privateEndpoints,
                          List<InetSocketAddress> coordinators, LocalCoordinator local, java.util.function.LongSupplier refreshMs,
                          Scheduler scheduler, Supplier<PacketSocket> socket, Counters counters) {
    this.selfPeerId = selfPeerId;
    this.identity = identity;
    this.key = PeerKey.of(identity.publicKey());
    this.networkKey = networkKey.clone();
    this.privateEndpoints = privateEndpoints;
    this.local = local;
    this.scheduler = scheduler;
    this.socket = socket;
    this.counters = counters;
    this.refreshMs = refreshMs;
    if (local != null) links.add(new Link(null));
    coordinators.forEach(a -> links.add(new Link(a)));
  }

  /**
   * Also register over TCP: a connection from this node's TCP port (made by {@code connect}, which
   * completes on this client's context) to each coordinator's port number over TCP, kept open to
   * hold the NAT mapping; registrations report {@code tcpPort}.
   */
  public void tcp(int tcpPort, Function<InetSocketAddress, Future<TcpEndpoint>> connect) {
    this.tcpPort = tcpPort;
    this.tcpConnect = connect;
  }

  /** Registers with every coordinator whose refresh is due (all of them on the first call). */
  public void refresh() {
    long now = scheduler.clock().nanoTime();
    for (Link l : links) {
      if (tcpConnect != null && l.address != null) refreshTcp(l, now);
      // an unanswered registration goes again on every tick (a quarter of the interval): the coordinator may
      // have come up after us, and until UDP registers, introductions make sessions punch over TCP alone
      long due = l.udpRegistered() ? refreshMs.getAsLong() : refreshMs.getAsLong() / 4;
      if (now - l.lastRegisterNanos < due * 1_000_000L) continue;
      l.lastRegisterNanos = now;
      l.registerTxn = nextTxn();
      Register r = register(l.registerTxn);
      if (l.address == null) {
        local.ask(r).onSuccess(reply -> acked(l, (RegisterAck) reply));
      } else {
        send(proven(l, l.cookie, r), l.address);
        if (l.probe != null) send(r, l.probe);
      }
    }
    boolean remote = links.stream().anyMatch(l -> l.address != null);
    udpWorks = !remote || links.stream().anyMatch(l -> l.address != null && l.udpRegistered());
    publishVias();
  }

  private void publishVias() {
    for (Link l : links) if (l.address != null) viaNow.put(l.address, l.via());
  }

  /**
   * How {@code coordinator} (its UDP address, or a registration connection to it, perhaps closed
   * since) is best reached now: over UDP while registered there, else over the current
   * registration connection. Any thread.
   */
  public InetSocketAddress coordinatorNow(InetSocketAddress coordinator) {
    InetSocketAddress v = viaNow.get(new InetSocketAddress(coordinator.getAddress(), coordinator.getPort()));
    return v == null ? coordinator : v;
  }

  private Register register(int txn) {
    return new Register(txn, nat, selfPeerId, key, privateEndpoints, tcpPort, Bits128.ZERO, Bits128.ZERO);
  }

  /**
   * The TCP registration: connect when there is no connection (again on the next refresh after a
   * failure), register when due, and drop a connection the coordinator stopped answering on.
   */
  private void refreshTcp(Link l, long now) {
    long stale = 3 * refreshMs.getAsLong() * 1_000_000L;
    if (l.tcp != null && (!l.tcp.link().isOpen() || now - (l.tcpAckNanos >= 0 ? l.tcpAckNanos : l.tcpConnectedNanos) > stale)) {
      l.tcpError = l.tcp.link().isOpen() ? "coordinator stopped answering" : l.tcp.link().closeReason();
      l.tcp.link().close();
      l.tcp = null;
      l.tcpAckNanos = -1;
    }
    if (l.tcp == null) {
      if (l.tcpConnecting) return;
      l.tcpConnecting = true;
      tcpConnect.apply(new InetSocketAddress(l.address.getAddress(), l.address.getPort())).onComplete(ar -> {
        l.tcpConnecting = false;
        if (ar.failed()) {
          l.tcpError = ar.cause().getMessage();
          return;
        }
        l.tcp = ar.result();
        l.tcp.link().claim(); // ours: the transport's timeouts for unclaimed connections do not apply, nor may a session close it
        l.tcpConnectedNanos = scheduler.clock().nanoTime();
        l.tcpError = null;
        l.tcpRegisterNanos = Long.MIN_VALUE / 2;
        refreshTcp(l, scheduler.clock().nanoTime());
      });
      return;
    }
    if (now - l.tcpRegisterNanos < refreshMs.getAsLong() * 1_000_000L) return;
    l.tcpRegisterNanos = now;
    l.tcpTxn = nextTxn();
    send(proven(l, l.tcpCookie, register(l.tcpTxn)), l.tcp);
  }

  /** {@code r} with {@code cookie} and the proof of our key, once the coordinator challenged us. */
  private Register proven(Link l, Bits128 cookie, Register r) {
    if (l.macKey == null || cookie.equals(Bits128.ZERO)) return r;
    Register withCookie = r.proven(cookie, Bits128.ZERO);
    return withCookie.proven(cookie, RegistrationProof.mac(l.macKey, withCookie));
  }

  /**
   * A coordinator wants proof that we hold our key: the MAC key follows from its key and ours
   * (one X25519, redone only when its key changes), the registration goes again at once.
   */
  public void onChallenge(ControlMessage.RegisterChallenge ch, InetSocketAddress from) {
    for (Link l : links) {
      if (l.tcp != null && TcpEndpoint.same(from, l.tcp) && ch.txn() == l.tcpTxn && l.tcpAnsweredTxn != ch.txn()) {
        if (!learnKey(l, ch)) return;
        l.tcpCookie = ch.cookie();
        l.tcpAnsweredTxn = ch.txn();
        send(proven(l, l.tcpCookie, register(l.tcpTxn)), l.tcp);
        return;
      }
      if (l.address == null || from instanceof TcpEndpoint || !l.address.equals(from) || ch.txn() != l.registerTxn
        || l.answeredTxn == ch.txn()) {
        continue;
      }
      if (!learnKey(l, ch)) return;
      l.cookie = ch.cookie();
      l.answeredTxn = ch.txn();
      send(proven(l, l.cookie, register(l.registerTxn)), l.address);
      return;
    }
    counters.drop(Drop.STALE_REPLY);
  }

  /** The MAC key shared with the coordinator of {@code ch}; false (counted) when its key is unusable. */
  private boolean learnKey(Link l, ControlMessage.RegisterChallenge ch) {
    if (ch.coordinatorKey().equals(l.coordinatorKey)) return true;
    try {
      l.macKey = RegistrationProof.macKey(identity.keyPair().privateKey(), ch.coordinatorKey().bytes(), networkKey);
      l.coordinatorKey = ch.coordinatorKey();
      return true;
    } catch (io.p2pnode.crypto.CryptoException e) {
      counters.drop(Drop.AUTH_FAILED); // a coordinator key nobody can hold
      return false;
    }
  }

  /** A REGISTER_ACK from a coordinator. */
  public void onRegisterAck(RegisterAck ack, InetSocketAddress from) {
    for (Link l : links) {
      if (l.tcp != null && TcpEndpoint.same(from, l.tcp) && ack.txn() == l.tcpTxn) {
        boolean first = l.tcpAckNanos < 0;
        l.tcpAckNanos = scheduler.clock().nanoTime();
        l.tcpObserved = ack.observed();
        if (first) publishVias();
        return;
      }
      if (ack.txn() != l.registerTxn || from instanceof TcpEndpoint) continue;
      if (from.equals(l.address)) {
        boolean first = l.probe == null && ack.probePort() != 0;
        acked(l, ack);
        udpWorks = true;
        viaNow.put(l.address, l.via());
        if (first) send(register(l.registerTxn), l.probe);
        return;
      }
      if (from.equals(l.probe)) {
        l.probeObserved = ack.observed();
        updateNatType();
        return;
      }
    }
    counters.drop(Drop.STALE_REPLY);
  }

  private void acked(Link l, RegisterAck ack) {
    l.lastAckNanos = scheduler.clock().nanoTime();
    l.observed = ack.observed().getPort() == 0 ? null : ack.observed();
    if (l.address != null && ack.probePort() != 0) l.probe = new InetSocketAddress(l.address.getAddress(), ack.probePort());
    updateNatType();
  }

  /** Coordinators pass our NAT type on in introductions: tell them at once when it changes. */
  private void updateNatType() {
    // IPv4 first: the public endpoint stands for the NAT this node sits behind (IPv6 needs none)
    publicEndpoint = links.stream().map(l -> l.observed).filter(java.util.Objects::nonNull)
      .min(java.util.Comparator.comparing(Addrs::isV6)).orElse(null);
    // observations over IPv6 and IPv4 differ by nature: the IPv4 ones tell the NAT, IPv6 ones only when there are no others
    boolean v4 = links.stream().anyMatch(l -> l.observed != null && !Addrs.isV6(l.observed)
      || l.probeObserved != null && !Addrs.isV6(l.probeObserved));
    List<NatClassifier.Observation> seen = new ArrayList<>();
    for (Link l : links) {
      seen.add(new NatClassifier.Observation(v4 && l.observed != null && Addrs.isV6(l.observed) ? null : l.observed,
        v4 && l.probeObserved != null && Addrs.isV6(l.probeObserved) ? null : l.probeObserved));
    }
    NatProfile now = NatClassifier.classify(seen, privateEndpoints);
    if (now.equals(nat)) return;
    nat = now;
    // over TCP too: a TCP registration sent before (with the old type) would otherwise stand until its next refresh
    for (Link l : links) {
      l.lastRegisterNanos = Long.MIN_VALUE / 2;
      l.tcpRegisterNanos = Long.MIN_VALUE / 2;
    }
    refresh();
  }

  /**
   * This node's NAT mapping behaviour, from what coordinators observe (see {@link NatClassifier}):
   * our own private endpoint seen means no NAT; the same public mapping seen at two destinations
   * (two coordinators, or a coordinator's main and probe ports) means endpoint-independent;
   * different ones, endpoint-dependent; fewer than two observations, unknown. Any thread.
   */
  public NatType natType() {
    return nat.mapping();
  }

  /** This node's NAT profile: mapping, port preservation and allocation ({@link NatClassifier}). Any thread. */
  public NatProfile natProfile() {
    return nat;
  }

  /**
   * An INTRODUCE or CONNECT_FAIL arrived. Returns true if it answers one of our requests; false
   * if it is unsolicited (the other side asked for the introduction).
   */
  public boolean onReply(ControlMessage m) {
    int txn = m instanceof Introduce i ? i.txn() : ((ConnectFail) m).txn();
    Promise<ControlMessage> p = txn == 0 ? null : outstanding.remove(txn);
    if (p == null) return false;
    p.complete(m);
    return true;
  }

  /**
   * An introduction and the coordinator that gave it ({@code null}: this node's own), through
   * which frames can be relayed.
   */
  public record Introduction(Introduce introduce, InetSocketAddress via) {
  }

  /**
   * Asks the coordinators in turn (own first) to introduce {@code target}. Fails with 404 when
   * none knows the peer, 503 when none answers.
   */
  public Future<Introduction> introduce(String target) {
    return tryLink(0, target, Failure.UNREACHABLE.exception("no coordinator to ask for " + target));
  }

  private Future<Introduction> tryLink(int i, String target, ReplyException last) {
    return tryLink(i, target, last, true);
  }

  /**
   * @param mayReregister whether a 503 from that coordinator may make us register again there
   *     and ask once more
   */
  private Future<Introduction> tryLink(int i, String target, ReplyException last, boolean mayReregister) {
    if (i >= links.size()) return Future.failedFuture(last);
    Link l = links.get(i);
    return ask(l, new Connect(nextTxn(), selfPeerId, target)).compose(reply -> {
      // 503 from a coordinator: our registration is missing there (it restarted or lost it), or it
      // could not reach the target's coordinator; registering again and asking once more serves both
      if (reply instanceof ConnectFail f && mayReregister && l.address != null && f.code() == Failure.UNREACHABLE.code()) {
        l.lastAckNanos = -1;
        l.lastRegisterNanos = Long.MIN_VALUE / 2;
        refresh();
        return tryLink(i, target, last, false);
      }
      if (reply instanceof Introduce intro) {
        return Future.succeededFuture(new Introduction(resolve(intro, l), l.via()));
      }
      ConnectFail f = (ConnectFail) reply;
      ReplyException e = new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, f.code(), f.reason());
      return tryLink(i + 1, target, last.failureCode() == Failure.NOT_FOUND.code() ? last : e);
    }, err -> tryLink(i + 1, target, last.failureCode() == Failure.NOT_FOUND.code() ? last
      : Failure.UNREACHABLE.exception(err.getMessage())));
  }

  /**
   * {@code intro} with "the coordinator's own address" ({@link Coordinator#UNSPECIFIED}) replaced by
   * the address of the coordinator that sent it ({@code from}: its UDP address or TCP connection).
   */
  public Introduce resolve(Introduce intro, InetSocketAddress from) {
    for (Link l : links) {
      if (l.address != null && (TcpEndpoint.same(from, l.tcp) || (!(from instanceof TcpEndpoint) && l.address.equals(from)))) {
        return resolve(intro, l);
      }
    }
    return intro;
  }

  private static Introduce resolve(Introduce intro, Link l) {
    if (l.address == null) return intro;
    InetSocketAddress udp = Coordinator.UNSPECIFIED.equals(intro.publicEndpoint()) ? l.address : intro.publicEndpoint();
    InetSocketAddress tcp = Coordinator.UNSPECIFIED.equals(intro.publicTcp())
      ? new InetSocketAddress(l.address.getAddress(), intro.tcpPort()) : intro.publicTcp();
    return intro.withPublic(udp, tcp);
  }

  /**
   * Whether this node's UDP reaches a coordinator it registers with (true when it has none, or
   * before any answer): when not, its network blocks UDP and sessions punch over TCP at once.
   */
  public boolean udpWorks() {
    return udpWorks;
  }

  private Future<ControlMessage> ask(Link l, Connect c) {
    if (l.address == null) return local.ask(c);
    Promise<ControlMessage> p = Promise.promise();
    afterFirstAck(l, REGISTRATION_WAIT_MS / CONNECT_RETRY_MS, () -> {
      outstanding.put(c.txn(), p);
      // over TCP once: the connection delivers it or dies; over UDP again and again
      resend(l.via(), c, p, l.via() instanceof TcpEndpoint ? 1 : CONNECT_TRIES);
    });
    return p.future();
  }

  /**
   * Runs {@code then} once the coordinator acknowledged our registration over either transport
   * (a CONNECT before that is refused), or after {@code checksLeft} checks {@link #CONNECT_RETRY_MS} apart.
   */
  private void afterFirstAck(Link l, long checksLeft, Runnable then) {
    if (l.lastAckNanos >= 0 || l.tcpRegistered() || checksLeft <= 0) then.run();
    else scheduler.schedule(CONNECT_RETRY_MS, () -> afterFirstAck(l, checksLeft - 1, then));
  }

  private void resend(InetSocketAddress to, Connect c, Promise<ControlMessage> p, int triesLeft) {
    if (p.future().isComplete()) return;
    if (triesLeft == 0) {
      outstanding.remove(c.txn());
      p.fail("coordinator " + Endpoints.format(to) + " did not answer");
      return;
    }
    send(c, to);
    // the last try waits as long as all UDP tries together would have
    long wait = triesLeft == 1 && to instanceof TcpEndpoint ? CONNECT_RETRY_MS * CONNECT_TRIES : CONNECT_RETRY_MS;
    scheduler.schedule(wait, () -> resend(to, c, p, triesLeft - 1));
  }

  /** Whether {@code address} is one of the coordinators this node registers with ({@code null}: its own). */
  public boolean isCoordinator(InetSocketAddress address) {
    for (Link l : links) {
      if (address == null ? l.address == null
        : address instanceof TcpEndpoint ? TcpEndpoint.same(address, l.tcp) : address.equals(l.address)) {
        return true;
      }
    }
    return false;
  }

  /** Tells remote coordinators this node is leaving (best effort, on shutdown). */
  public void unregisterAll() {
    for (Link l : links) {
      if (l.address != null) send(new ControlMessage.Unregister(selfPeerId), l.address);
      if (l.tcp != null) {
        send(new ControlMessage.Unregister(selfPeerId), l.tcp);
        l.tcp.link().close();
      }
    }
  }

  /** The public endpoint the first coordinator that answered observed, or {@code null}. Any thread. */
  public InetSocketAddress publicEndpoint() {
    return publicEndpoint;
  }

  /** One entry per coordinator for {@code p2p.status}. */
  public JsonArray status() {
    JsonArray a = new JsonArray();
    links.forEach(l -> a.add(l.status()));
    return a;
  }

  private void send(ControlMessage m, InetSocketAddress to) {
    PacketSocket s = socket.get();
    s.send(ControlMessage.encode(s.alloc(), m, 0), to);
  }

  private static int nextTxn() {
    int t;
    do {
      t = ThreadLocalRandom.current().nextInt();
    } while (t == 0);
    return t;
  }
}
