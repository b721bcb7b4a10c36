package io.p2pnode.punch;

import io.p2pnode.bus.Failure;
import io.p2pnode.crypto.PeerIds;
import io.p2pnode.transport.Addrs;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.registry.PeerRecord;
import io.p2pnode.registry.PeerRegistry;
import io.p2pnode.time.Clock;
import io.p2pnode.wire.ControlMessage;

import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * Rendezvous logic, free of I/O: registrations into the {@link PeerRegistry} and introductions.
 * The coordinator's own node registers with {@code observed == null}; an introduction that names
 * it carries {@link #UNSPECIFIED} as public endpoint, meaning "the coordinator's own address".
 */
public final class Coordinator {
  /** "Reach this peer at the address of the coordinator that introduced it." */
  public static final InetSocketAddress UNSPECIFIED = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  /** The outcome of a connect request: exactly one of the two is set. */
  public record Outcome(Introduction introduction, ConnectFail failure) {
  }

  /**
   * An introduction: what to tell the requester, and what to tell the target (and where: its
   * TCP registration connection or its UDP endpoint, {@code null} for this coordinator's own node).
   */
  public record Introduction(Introduce toRequester, Introduce toTarget, InetSocketAddress targetAddress) {
    /** Whether the target is this coordinator's own node (tell it locally, not over the network). */
    public boolean targetIsLocal() {
      return targetAddress == null;
    }
  }

  /** The reason given to a CONNECT from an address no registration of that peer was proven from. */
  static final String NOT_REGISTERED = "not registered here";

  private final String selfPeerId;
  private final PeerRegistry registry;
  private final Clock clock;
  private final long ttlMs;
  private final SecureRandom random = new SecureRandom();
  private final RelayLimiter relayLimiter;
  /** When each peer last registered over UDP (ms): a UDP endpoint not refreshed for a TTL is not passed on. */
  private final java.util.Map<String, Long> udpSeenAtMs = new java.util.HashMap<>();
  /** When each peer last registered over UDP per IP family (ms): {IPv4, IPv6}; a dual-stack peer registers over both. */
  private final java.util.Map<String, long[]> familySeenAtMs = new java.util.HashMap<>();
  private int probePort;
  /**
   * The token of each pair's latest introduction: {token, created ms, requester hash, txn}. A
   * CONNECT sent again or duplicated (same requester, same txn) gets the same token for
   * {@link #TOKEN_REUSE_MS}, and so does the other side's CONNECT crossing it within
   * {@link #CROSSING_MS}: both sides punch with one token whatever order the copies arrive in. A
   * later CONNECT (a session that closed and starts over) gets a fresh token, which makes the
   * other side's session handshake anew.
   */
  private final java.util.LinkedHashMap<String, long[]> pairTokens = new java.util.LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, long[]> eldest) {
      return size() > MAX_PAIR_TOKENS;
    }
  };
  /** How long a CONNECT sent again gets its first answer's token: about one connect attempt ({@code session.connectTimeoutMs}). */
  static final long TOKEN_REUSE_MS = 5_000;
  /** How close the two sides' CONNECTs must come to share a token (they connect to each other at once). */
  static final long CROSSING_MS = 1_000;
  /** Pairs whose token is remembered; beyond, the oldest are forgotten (a fresh token then: still correct, just not idempotent). */
  static final int MAX_PAIR_TOKENS = 65_536;

  public Coordinator(String selfPeerId, PeerRegistry registry, Clock clock, long ttlMs, RelayLimiter relayLimiter) {
    this.selfPeerId = selfPeerId;
    this.registry = registry;
    this.clock = clock;
    this.ttlMs = ttlMs;
    this.relayLimiter = relayLimiter;
  }

  /** The port of the probe socket announced in acknowledgements (0: none). */
  public void probePort(int port) {
    this.probePort = port;
  }

  /**
   * A REGISTER that arrived at the probe socket: acknowledged with the address seen there, but
   * not recorded (introductions use the mapping towards the main port).
   */
  public RegisterAck probe(Register r, InetSocketAddress observed) {
    return new RegisterAck(r.txn(), observed, ttlMs, 0);
  }

  /** Where to forward a relayed frame, and what to send there. */
  public record Forward(InetSocketAddress to, ControlMessage.Relayed message) {
  }

  /**
   * Checks a relay request from {@code sender}: the source must be registered from that address
   * and within its relay budget.
   *
   * @return the forward; its {@code to} is {@code null} when the target is not registered here
   *     with a public endpoint (a clustered coordinator looks for it elsewhere); {@code null}
   *     when refused
   */
  public Forward relay(ControlMessage.Relay r, InetSocketAddress sender) {
    long now = clock.millis();
    PeerRecord from = registry.get(r.from(), now);
    if (from == null || !from.registeredFrom(sender)) return null;
    if (!relayLimiter.allow(r.from(), r.frame().length, now)) return null;
    return new Forward(reachable(r.to()), new ControlMessage.Relayed(r.from(), r.frame()));
  }

  /** Where a peer registered here can be sent to ({@link PeerRecord#reachAt}), or {@code null}. */
  public InetSocketAddress reachable(String peerId) {
    PeerRecord to = registry.get(peerId, clock.millis());
    return to == null ? null : to.reachAt();
  }

  /** The live record of a peer registered here, or {@code null}. */
  public PeerRecord registered(String peerId) {
    return registry.get(peerId, clock.millis());
  }

  /** Every live record registered here (the own node's included). */
  public java.util.List<PeerRecord> registeredPeers() {
    long now = clock.millis();
    java.util.List<PeerRecord> out = new java.util.ArrayList<>();
    registry.forEach(r -> {
      if (r.expiresAtMs() > now) out.add(r);
    });
    return out;
  }

  /** The outcome of a registration: the acknowledgement, or why it was refused. */
  public record Registration(RegisterAck ack, Drop refused) {
  }

  /**
   * Registers or refreshes a peer seen at {@code observed} ({@code null} = this coordinator's own
   * node). A self-certifying peer id must be the id of the registered key; any other id is bound
   * to the key it first registered with for as long as that registration lives. A registration
   * over TCP ({@code observed} a {@link TcpEndpoint}) sets the peer's TCP endpoint and keeps its
   * UDP one, and the other way round, so a peer registered over both is reachable over both.
   */
  public Registration register(Register r, InetSocketAddress observed) {
    long now = clock.millis();
    if (observed != null && r.peerId().equals(selfPeerId)) return new Registration(null, Drop.PEER_ID_CONFLICT);
    if (PeerIds.isSelfCertifying(r.peerId()) && !PeerIds.matches(r.peerId(), r.key().bytes())) {
      return new Registration(null, Drop.KEY_MISMATCH);
    }
    PeerRecord before = registry.get(r.peerId(), now);
    if (before != null && !before.key().equals(r.key())) return new Registration(null, Drop.KEY_MISMATCH);
    boolean tcp = observed instanceof TcpEndpoint;
    // a TCP refresh keeps the UDP endpoint only while UDP registrations keep coming (UDP may have become blocked)
    boolean udpFresh = now - udpSeenAtMs.getOrDefault(r.peerId(), Long.MIN_VALUE / 2) <= ttlMs;
    InetSocketAddress udpSeen = tcp ? (before == null || !udpFresh ? null : before.observed()) : observed;
    InetSocketAddress tcpSeen = tcp ? observed
      : before != null && before.observedTcp() instanceof TcpEndpoint t && t.link().isOpen() ? t : null;
    InetSocketAddress other = tcp ? (udpSeen == null ? null : before.observedOther()) : null;
    if (!tcp && observed != null) {
      // both families: the IPv4 endpoint is the one to reach the peer at (as before), the IPv6 one goes along
      InetSocketAddress[] both = dualStack(r.peerId(), observed, before, now);
      udpSeen = both[0];
      other = both[1];
    }
    PeerRecord rec = new PeerRecord(r.peerId(), udpSeen, r.privateEndpoints(), r.nat(), selfPeerId, r.key(), now, now + ttlMs,
      tcpSeen, r.tcpPort(), other);
    if (!registry.put(rec)) return new Registration(null, Drop.REGISTRY_FULL);
    if (!tcp && observed != null) {
      udpSeenAtMs.put(r.peerId(), now);
      familySeenAtMs.computeIfAbsent(r.peerId(), k -> new long[] {Long.MIN_VALUE / 2, Long.MIN_VALUE / 2})[Addrs.isV6(observed) ? 1 : 0] = now;
    }
    return new Registration(new RegisterAck(r.txn(), observed == null ? UNSPECIFIED : observed, ttlMs, probePort), null);
  }

  /**
   * A UDP registration from {@code observed}: {primary, other}. The other family's endpoint of
   * {@code before} stays while that family's registrations keep coming (within a TTL); the IPv4
   * endpoint is the primary one (where introductions reach the peer, its public endpoint).
   */
  private InetSocketAddress[] dualStack(String peerId, InetSocketAddress observed, PeerRecord before, long now) {
    boolean v6 = Addrs.isV6(observed);
    long[] seen = familySeenAtMs.get(peerId);
    InetSocketAddress kept = null;
    if (before != null && seen != null && now - seen[v6 ? 0 : 1] <= ttlMs) {
      for (InetSocketAddress a : new InetSocketAddress[] {before.observed(), before.observedOther()}) {
        if (a != null && Addrs.isV6(a) != v6) kept = a;
      }
    }
    if (kept == null) return new InetSocketAddress[] {observed, null};
    return v6 ? new InetSocketAddress[] {kept, observed} : new InetSocketAddress[] {observed, kept};
  }

  /** Forgets {@code peerId} if the request comes from where it registered. */
  public boolean unregister(String peerId, InetSocketAddress from) {
    PeerRecord rec = registry.get(peerId, clock.millis());
    if (rec == null || !rec.registeredFrom(from)) return false;
    registry.remove(peerId);
    relayLimiter.forget(peerId);
    udpSeenAtMs.remove(peerId);
    familySeenAtMs.remove(peerId);
    return true;
  }

  /**
   * Introduces {@code c.from()} (seen at {@code from}, {@code null} for the own node) to {@code c.target()}.
   *
   * @return an introduction, or the refusal to send back
   */
  public Outcome connect(Connect c, InetSocketAddress from) {
    return introduce(c, from, registry.get(c.target(), clock.millis()));
  }

  /**
   * Introduces {@code c.from()} (seen at {@code from}) to {@code target}, a record registered
   * with another coordinator of the cluster ({@code null}: unknown there too).
   */
  public Outcome introduce(Connect c, InetSocketAddress from, PeerRecord target) {
    PeerRecord requester = registry.get(c.from(), clock.millis());
    if (requester == null || (from == null ? !requester.ownNode() : !requester.registeredFrom(from))) {
      // not (or no longer) registered here: the coordinator restarted, the NAT re-mapped, a REGISTER was lost.
      // Short: the sender is not validated, and the answer must stay far below 3x its request
      return refuse(c, Failure.UNREACHABLE, NOT_REGISTERED);
    }
    if (c.target().equals(c.from())) {
      return refuse(c, Failure.BAD_REQUEST, "a peer cannot connect to itself");
    }
    if (target == null) return refuse(c, Failure.NOT_FOUND, "unknown peer " + c.target());
    long token = pairToken(c.from(), c.target(), c.txn());
    if (!target.ownNode() && target.owner().equals(selfPeerId) && target.reachAt() == null) {
      return refuse(c, Failure.UNREACHABLE, "peer " + c.target() + " lost its registration connection");
    }
    Introduce toRequester = new Introduce(c.txn(), token, target.nat(), target.peerId(), target.key(), publicOf(target),
      target.introducedEndpoints(), publicTcpOf(target), target.tcpPort());
    Introduce toTarget = new Introduce(0, token, requester.nat(), requester.peerId(), requester.key(), publicOf(requester),
      requester.introducedEndpoints(), publicTcpOf(requester), requester.tcpPort());
    return new Outcome(new Introduction(toRequester, toTarget, target.ownNode() ? null : target.reachAt()), null);
  }

  /** The pair's current introduction token, or a fresh one (never 0: "no introduction yet" to a session). */
  private long pairToken(String from, String target, long txn) {
    String key = from.compareTo(target) < 0 ? from + "\n" + target : target + "\n" + from;
    long now = clock.millis();
    long[] t = pairTokens.get(key);
    if (t != null) {
      boolean again = t[2] == from.hashCode() && t[3] == txn && now - t[1] < TOKEN_REUSE_MS;
      boolean crossing = t[2] != from.hashCode() && now - t[1] < CROSSING_MS;
      if (again || crossing) return t[0];
    }
    long token;
    do {
      token = random.nextLong();
    } while (token == 0);
    pairTokens.remove(key); // re-inserted last: the map forgets the oldest first
    pairTokens.put(key, new long[] {token, now, from.hashCode(), txn});
    return token;
  }

  private static Outcome refuse(Connect c, Failure f, String why) {
    return new Outcome(null, new ConnectFail(c.txn(), f.code(), why));
  }

  /** The coordinator's clock, wall-clock ms. */
  public long nowMs() {
    return clock.millis();
  }

  /** The coordinator's own peer id: nobody else may register under it. */
  public String selfPeerId() {
    return selfPeerId;
  }

  /** Drops expired registrations. */
  public int expire() {
    long now = clock.millis();
    int n = registry.expire(now);
    if (n > 0 || udpSeenAtMs.size() > registry.size()) udpSeenAtMs.keySet().removeIf(p -> registry.get(p, now) == null);
    if (n > 0 || familySeenAtMs.size() > registry.size()) familySeenAtMs.keySet().removeIf(p -> registry.get(p, now) == null);
    return n;
  }

  /** Registered peers. */
  public int size() {
    return registry.size();
  }

  private static InetSocketAddress publicOf(PeerRecord r) {
    if (r.ownNode()) return UNSPECIFIED;
    return r.observed() == null ? ControlMessage.NO_ENDPOINT : r.observed();
  }

  /** The public TCP endpoint of {@code r} as a plain address (a {@link TcpEndpoint} is local to this coordinator). */
  private static InetSocketAddress publicTcpOf(PeerRecord r) {
    if (r.ownNode()) return r.tcpPort() == 0 ? ControlMessage.NO_ENDPOINT : UNSPECIFIED;
    InetSocketAddress t = r.observedTcp();
    return t == null ? ControlMessage.NO_ENDPOINT : new InetSocketAddress(t.getAddress(), t.getPort());
  }
}
