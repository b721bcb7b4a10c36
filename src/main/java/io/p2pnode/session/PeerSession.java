package io.p2pnode.session;

import io.p2pnode.dataplane.MessageExchange;
import io.p2pnode.dataplane.OutboundStreamListener;
import io.p2pnode.dataplane.PathMtu;
import io.p2pnode.dataplane.RttEstimator;
import io.p2pnode.dataplane.SessionCrypto;
import io.p2pnode.dataplane.FrameLink;
import io.netty.buffer.ByteBuf;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.Endpoints;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.Addrs;
import io.p2pnode.transport.RelayEndpoint;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import io.p2pnode.punch.Strategy;
import io.p2pnode.wire.Opaque;
import io.p2pnode.wire.PeerKey;
import io.p2pnode.wire.SessionCodec;
import io.p2pnode.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One remote peer: punching, path, messaging and liveness. Single-threaded: every method runs on
 * the owning {@link SessionVerticle}'s context (tests call it directly with a manual clock).
 *
 * <p>States: {@code CONNECTING → UP → CLOSED}, or {@code CONNECTING → CLOSED} when no candidate
 * answers within {@code session.connectTimeoutMs}. {@link #transition} is the one place that
 * changes state; it logs and notifies the {@link SessionListener}.
 */
public final class PeerSession {
  private static final Logger LOG = Logger.getLogger("p2p.session");
  /** How the reason of a session closed by {@link #fault} starts. */
  public static final String FAULT = "fault: ";
  /** Session lifecycle. */
  public enum State { CONNECTING, UP, CLOSED }

  private final SessionDeps deps;
  private final String peerId;
  private final int localSid;
  private final SessionListener listener;
  private final PacketSocket socket;
  private final RttEstimator rtt = new RttEstimator();
  private final FrameLink link;
  /** The data plane; replaced when the peer starts a new session while this one is up. */
  private MessageExchange messages;
  private final SessionCrypto crypto;
  /** Path MTU discovery on the direct path's connected socket. */
  private final PathMtu pmtu;
  private final List<Promise<PeerSession>> upWaiters = new ArrayList<>();

  private State state = State.CONNECTING;
  private int remoteSid;
  private InetSocketAddress remote;
  private Candidate winner;
  private long token;
  private List<Candidate> candidates = List.of();
  private RelayEndpoint relay;
  private PunchAttempt attempt;
  private long punchTimer = -1;
  private Candidate pendingPublic;
  private long graceTimer = -1;
  private long upgradeTimer = -1;
  private boolean recovering;
  private long packetNumber;
  private PathSockets pathSockets;
  private PacketSocket pathSocket;
  private long pathEpoch;
  private long lastSent;
  private long lastReceived;
  private long upSince;
  private long attemptStart;
  private long keepalives;
  private String natPair = "unknown/unknown";
  private TcpPunch tcp;
  private TcpPaths tcpPaths;
  private List<Candidate> tcpCandidates = List.of();
  private boolean tcpAtOnce;
  private long tcpTimer = -1;
  /** Why the session closed: what later sends and waiters fail with. */
  private ReplyException closedBy;
  private NatProfile remoteNat = NatProfile.UNKNOWN;
  private HardNatPunch hard;
  /** How the current path was found. */
  private Strategy strategy;
  /** Time from the introduction to the first direct path, ms; -1 until there is one. */
  private long directAfterMs = -1;

  public PeerSession(SessionDeps deps, String peerId, int localSid, PacketSocket socket, SessionListener listener) {
    this.deps = deps;
    this.peerId = peerId;
    this.localSid = localSid;
    this.socket = socket;
    this.listener = listener;
    this.lastReceived = now();
    this.lastSent = lastReceived;
    this.crypto = new SessionCrypto(deps.localKey(), peerId, deps.counters(), deps.session().rekeyAfterPackets(),
      deps.session().rekeyAfterMs(), deps.scheduler().clock());
    this.link = new FrameLink() {
      public ByteBuf newFrame(FrameType type, int initialCapacity, int maxCapacity) {
        return PeerSession.this.newFrame(type, initialCapacity, maxCapacity);
      }

      public void transmit(ByteBuf frame) {
        PeerSession.this.transmit(frame);
      }

      public int budget() {
        return PeerSession.this.budget();
      }

      public boolean open() {
        return state != State.CLOSED;
      }

      public boolean canSend() {
        return state == State.UP && !recovering && crypto.ready();
      }

      public long receiveLimit() {
        return pathSocket == null ? Long.MAX_VALUE : pmtu.receiveLimit();
      }
    };
    this.messages = new MessageExchange(deps.dataPlane(), peerId, link, rtt);
    this.pmtu = new PathMtu(deps.scheduler(), rtt, deps.maxDatagramBytes(), this::sendProbe, peerId);
  }

  /** Use connected per-peer sockets for direct paths (the UDP accept model); without, everything goes through {@code socket}. */
  public void pathSockets(PathSockets sockets) {
    this.pathSockets = sockets;
  }

  /** Punch over TCP too, with connections from {@code paths}; without, this session uses UDP and the relay only. */
  public void tcpPaths(TcpPaths paths) {
    this.tcpPaths = paths;
    this.tcp = paths == null ? null : new TcpPunch(peerId, paths, deps.scheduler(), this::onTcpConnected, this::onTcpClosed);
  }

  /** Try hard-NAT strategies (birthday probing, port prediction) too; without, none. */
  public void hardNat(HardNatDeps hardDeps) {
    this.hard = hardDeps == null ? null : new HardNatPunch(peerId, hardDeps, deps.scheduler(), deps.counters(), deps.stats());
  }

  // ---------------------------------------------------------------- finding a path

  /**
   * An introduction arrived: punch towards {@code candidates} with {@code token}, also through
   * the coordinator at {@code relayVia} after {@code session.relayAfterMs} (when not null),
   * until one answers or {@code session.connectTimeoutMs} passes, and agree keys with the peer
   * that holds {@code remoteKey} ({@link SessionCrypto}). An UP session re-punches.
   */
  public void introduce(long token, List<Candidate> candidates, InetSocketAddress relayVia, NatType remoteNat, PeerKey remoteKey) {
    introduce(token, candidates, List.of(), false, relayVia, remoteNat, remoteKey);
  }

  /**
   * As {@link #introduce(long, List, InetSocketAddress, NatType, PeerKey)}, punching over TCP
   * towards {@code tcpCandidates} as well: at once when {@code tcpAtOnce} (UDP is blocked on one
   * side), else once UDP has not answered for {@code session.tcpAfterMs}. UDP stays preferred: a
   * UDP path that answers later replaces a TCP one.
   */
  public void introduce(long token, List<Candidate> candidates, List<Candidate> tcpCandidates, boolean tcpAtOnce,
                        InetSocketAddress relayVia, NatType remoteNat, PeerKey remoteKey) {
    introduce(token, candidates, tcpCandidates, tcpAtOnce, relayVia, NatProfile.of(remoteNat), remoteKey);
  }

  /**
   * As above, with the peer's whole NAT profile: when one side's NAT maps per destination and the
   * other's does not, a hard-NAT try ({@link HardNatPunch}) runs next to the punching.
   */
  public void introduce(long token, List<Candidate> candidates, List<Candidate> tcpCandidates, boolean tcpAtOnce,
                        InetSocketAddress relayVia, NatProfile remoteNat, PeerKey remoteKey) {
    if (state == State.CLOSED) return;
    if (token != 0 && token == this.token) return; // a repeated copy of the introduction this session runs on
    // an IPv4-only listener cannot send to IPv6 candidates, nor an IPv6-only one to IPv4 ones
    InetSocketAddress bound = socket.localAddress();
    candidates = reachable(bound, candidates);
    tcpCandidates = reachable(bound, tcpCandidates);
    this.tcpCandidates = tcpCandidates;
    this.tcpAtOnce = tcpAtOnce;
    crypto.introduced(remoteKey, token);
    if (state == State.CONNECTING && attemptStart == 0) {
      natPair = deps.localNat().get().wireName() + "/" + remoteNat.wireName();
      this.remoteNat = remoteNat;
      attemptStart = now();
      deps.stats().attempt(natPair);
    }
    this.token = token;
    this.candidates = candidates;
    this.relay = relayVia == null ? null : new RelayEndpoint(relayVia, peerId);
    if (hard != null) hard.stop(false); // a new token: a try of the old one cannot authenticate any more
    startAttempt(relay, deps.session().relayAfterMs(), deps.session().connectTimeoutMs(), tcpDelay());
    if (state == State.CONNECTING || winner != null && winner.path() != Path.DIRECT && winner.path() != Path.DIRECT_LAN) startHard();
  }

  /** Starts a hard-NAT try when the pair has one left (the relay and plain punching go on meanwhile). */
  private void startHard() {
    if (hard == null) return;
    InetSocketAddress remotePublic = candidates.stream().filter(c -> c.path() == Path.DIRECT).map(Candidate::address)
      .findFirst().orElse(null);
    Strategy started = hard.start(remoteNat, token, remotePublic, socket,
      () -> ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), this::onProbeWon);
    if (started != null) LOG.info(() -> "session " + peerId + " hard NAT try " + hard.tries() + ": " + started.wireName());
  }

  /**
   * Hard side: a probe of the peer reached one of our birthday sockets, which becomes this
   * session's path socket; the probe (a HELLO, or a HELLO_ACK) is handled as if it came through
   * the listener, and the answer leaves through that socket.
   */
  private void onProbeWon(PacketSocket s, InetSocketAddress from, ByteBuf frame) {
    if (state == State.CLOSED) {
      s.close();
      return;
    }
    hard.adopt(s, from);
    ControlMessage.Hello h = HardNatPunch.hello(frame);
    if (h == null) return;
    if (h.ack()) onFrame(FrameType.HELLO_ACK, frame, from);
    else onHello(h, from);
  }

  private static List<Candidate> reachable(InetSocketAddress bound, List<Candidate> candidates) {
    if (bound == null || candidates.stream().allMatch(c -> Addrs.reaches(bound, c.address()))) return candidates;
    return candidates.stream().filter(c -> Addrs.reaches(bound, c.address())).toList();
  }

  /** The path is back without a new lock (frames arrived on it again): no more punching, over TCP neither. */
  private void stopPunching() {
    for (long t : new long[] {punchTimer, tcpTimer}) {
      if (t >= 0) deps.scheduler().cancel(t);
    }
    punchTimer = -1;
    tcpTimer = -1;
    if (tcp == null) return;
    if (remote instanceof TcpEndpoint link) tcp.won(link);
    else if (winner.path() != Path.RELAY) tcp.stopAll("the path came back");
  }

  /** When TCP punching joins an attempt: at once, after {@code session.tcpAfterMs}, or never (-1: no TCP here or there). */
  private long tcpDelay() {
    if (tcp == null || tcpCandidates.isEmpty()) return -1;
    return tcpAtOnce ? 0 : deps.session().tcpAfterMs();
  }

  /** @param tcpAfterMs when to punch over TCP as well; -1: not in this attempt */
  private void startAttempt(RelayEndpoint via, long relayAfterMs, long timeoutMs, long tcpAfterMs) {
    if (attempt != null) attempt.abandon();
    attempt = new PunchAttempt(peerId, token, candidates, via, now(), relayAfterMs, timeoutMs);
    if (!candidates.isEmpty()) deps.stats().strategyAttempt(Strategy.PUNCH);
    if (via != null && relayAfterMs < timeoutMs) deps.stats().strategyAttempt(Strategy.RELAY);
    if (punchTimer >= 0) deps.scheduler().cancel(punchTimer);
    if (tcpTimer >= 0) deps.scheduler().cancel(tcpTimer);
    tcpTimer = -1;
    if (tcpAfterMs >= 0 && tcp != null && !tcpCandidates.isEmpty()) {
      long deadline = now() + timeoutMs * 1_000_000L;
      PunchAttempt current = attempt;
      Runnable startTcp = () -> {
        tcpTimer = -1;
        if (state != State.CLOSED && attempt == current && current.active() && !onUdpPath()) {
          deps.stats().strategyAttempt(Strategy.TCP);
          tcp.start(tcpCandidates, deadline);
        }
      };
      if (tcpAfterMs == 0) startTcp.run();
      else tcpTimer = deps.scheduler().schedule(tcpAfterMs, startTcp);
    }
    punchRound();
  }

  private boolean onUdpPath() {
    return winner != null && (winner.path() == Path.DIRECT || winner.path() == Path.DIRECT_LAN) && state == State.UP && !recovering;
  }

  /** A TCP connection made here is up: first contact on it, as a punch would be. */
  private void onTcpConnected(TcpEndpoint link) {
    if (state == State.CLOSED) return;
    sendTo(ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), link);
  }

  /** A TCP connection closed: when it carried the session, find a path again (TCP at once, relay after its delay). */
  private void onTcpClosed(TcpEndpoint link) {
    if (state != State.UP || winner == null || !RelayEndpoint.same(link, remote)) return;
    LOG.info(() -> "session " + peerId + " TCP path closed (" + link.link().closeReason() + "), punching again");
    recovering = true;
    startAttempt(relay, deps.session().relayAfterMs(), deps.liveTimeoutMs(), tcp == null || tcpCandidates.isEmpty() ? -1 : 0);
  }

  private void punchRound() {
    punchTimer = -1;
    if (state == State.CLOSED || attempt == null) return;
    if (!attempt.active()) return; // locked or abandoned meanwhile: no round, no reschedule
    List<InetSocketAddress> targets = attempt.round(now());
    if (attempt.state() == PunchAttempt.State.FAILED) {
      if (!candidates.isEmpty()) deps.stats().strategyFailure(Strategy.PUNCH);
      if (tcp != null && (winner == null || winner.path() != Path.DIRECT_TCP)) tcp.stopAll("attempt over without a TCP path");
      if (state == State.CONNECTING) deps.stats().outcome(natPair, "failed", (now() - attemptStart) / 1_000_000L);
      if (state == State.CONNECTING) close("no candidate answered within " + deps.session().connectTimeoutMs() + " ms", false);
      recovering = false;
      return;
    }
    for (InetSocketAddress to : targets) {
      sendTo(ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), to);
    }
    // TCP connections not yet authenticated: HELLO again (the peer may not have had its introduction yet)
    if (tcp != null) {
      for (TcpEndpoint link : tcp.open()) sendTo(ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), link);
    }
    punchTimer = deps.scheduler().schedule(deps.session().punchIntervalMs(), this::punchRound);
  }

  /** A HELLO (first contact, session id 0) from this peer; the manager checked nothing but the peer id. */
  public void onHello(ControlMessage.Hello hello, InetSocketAddress from) {
    if (state == State.CLOSED || attempt == null || hello.token() != token) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    if (from instanceof TcpEndpoint link && tcp != null) tcp.accepted(link);
    Opaque answer = crypto.onHello(hello.noise());
    if (answer == null) return; // counted: a handshake that does not hold
    lastReceived = now();
    sendTo(ControlMessage.encode(socket.alloc(), hello(true, hello.timestamp(), answer), hello.senderSessionId()), from);
    if (!crypto.ready()) {
      // answered, not locked: the handshake has to cross first; as initiator, send it on this path now that it is open
      if (crypto.initiating()) sendTo(ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), from);
      return;
    }
    // the peer punches through the relay (or our TCP path) while we are on it: it is trying to upgrade, join in
    boolean nudge = from instanceof RelayEndpoint && winner != null && winner.path() == Path.RELAY
      || from instanceof TcpEndpoint && winner != null && winner.path() == Path.DIRECT_TCP && RelayEndpoint.same(from, remote);
    if (state == State.UP && nudge && (attempt == null || !attempt.active())) {
      startUpgrade();
    }
    lock(from, hello.senderSessionId());
  }

  private void onHelloAck(ByteBuf frame, InetSocketAddress from) {
    frame.skipBytes(FrameCodec.HEADER_BYTES);
    ControlMessage.Hello ack = (ControlMessage.Hello) ControlMessage.decode(FrameType.HELLO_ACK, frame);
    if (attempt == null || ack.token() != token || !ack.peerId().equals(peerId)) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    if (!crypto.onHelloAck(ack.noise())) return;
    lastReceived = now();
    rtt.sample(now() - ack.timestamp());
    lock(from, ack.senderSessionId());
  }

  /**
   * Roaming: an authenticated frame of this session from another direct address (the peer's NAT
   * re-mapped it, or the peer moved) makes that address the path at once. Only sealed frames
   * count: a spoofed source cannot produce one, and a replayed one is dropped before this.
   */
  private void roamIfMoved(InetSocketAddress sender) {
    if (deps.localKey() == null || state != State.UP || sender instanceof RelayEndpoint || remote instanceof RelayEndpoint
      || RelayEndpoint.same(sender, remote)) {
      return;
    }
    // UDP is preferred: a frame over TCP moves only a TCP path (to the connection the peer uses);
    // a frame over UDP moves a TCP path to UDP
    if (sender instanceof TcpEndpoint && !(remote instanceof TcpEndpoint)) return;
    // across IP families only upwards (IPv4 to IPv6): when the two sides locked different families, both end on IPv6
    if (!(sender instanceof TcpEndpoint) && Addrs.isV6(sender) != Addrs.isV6(remote) && !Addrs.isV6(sender)) return;
    Path p = sender instanceof TcpEndpoint ? Path.DIRECT_TCP
      : Addrs.isV6(sender) != Addrs.isV6(remote) ? candidateFor(sender).path()
      : winner.path() == Path.DIRECT_LAN ? Path.DIRECT_LAN : Path.DIRECT;
    LOG.info(() -> "session " + peerId + " roamed: " + remote + " -> " + sender);
    finishLock(new Candidate(sender, p));
  }

  /** Which candidate {@code from} is: a relay, one we punched, or a peer-reflexive public address. */
  private Candidate candidateFor(InetSocketAddress from) {
    if (from instanceof RelayEndpoint) return new Candidate(from, Path.RELAY);
    if (from instanceof TcpEndpoint) return new Candidate(from, Path.DIRECT_TCP);
    for (Candidate c : candidates) if (RelayEndpoint.same(c.address(), from)) return c;
    return new Candidate(from, Path.DIRECT);
  }

  /**
   * A candidate answered. While connecting, a public answer waits {@code session.lanGraceMs} for
   * a LAN candidate, which wins. An UP session never trades its path for a worse one unless it is
   * recovering from silence.
   */
  private void lock(InetSocketAddress from, int remoteSessionId) {
    Candidate c = candidateFor(from);
    if (state == State.UP && remoteSid != 0 && remoteSessionId != remoteSid) peerStartedOver();
    remoteSid = remoteSessionId;
    if (state == State.UP && !recovering && rank(c) <= rank(winner) && !RelayEndpoint.same(from, remote)) return;
    if (state == State.CONNECTING && c.path() != Path.DIRECT_LAN && (lanMayAnswer() || v6MayAnswer(c))
      && deps.session().lanGraceMs() > 0) {
      if (pendingPublic == null || rank(c) > rank(pendingPublic)) pendingPublic = c;
      if (graceTimer < 0) {
        graceTimer = deps.scheduler().schedule(deps.session().lanGraceMs(), () -> {
          graceTimer = -1;
          if (state == State.CONNECTING && pendingPublic != null) finishLock(pendingPublic);
        });
      }
      return;
    }
    finishLock(c);
  }

  /**
   * Whether waiting for a LAN candidate is worth it: the peer has one, and it sits behind the same
   * public address as we do (same NAT), or we do not know ours. Private addresses of a peer behind
   * another NAT are unreachable from here however long we wait.
   */
  private boolean lanMayAnswer() {
    if (candidates.stream().noneMatch(x -> x.path() == Path.DIRECT_LAN)) return false;
    InetSocketAddress mine = deps.localPublic().get();
    if (mine == null) return true;
    return candidates.stream().filter(x -> x.path() == Path.DIRECT)
      .anyMatch(x -> x.address().getAddress().equals(mine.getAddress()));
  }

  /**
   * Whether waiting for an IPv6 candidate is worth it: {@code answered} is a direct IPv4 one, and
   * the peer has a direct IPv6 candidate this node can reach (one that answers within
   * {@code session.lanGraceMs} wins: no NAT on the way, no mapping to keep open).
   */
  private boolean v6MayAnswer(Candidate answered) {
    return answered.path() == Path.DIRECT && !Addrs.isV6(answered.address())
      && candidates.stream().anyMatch(x -> x.path() == Path.DIRECT && Addrs.isV6(x.address()));
  }

  /** How good a path is: LAN, then direct over IPv6, direct over IPv4, TCP, relay. */
  private static int rank(Candidate c) {
    return switch (c.path()) {
      case DIRECT_LAN -> 4;
      case DIRECT -> Addrs.isV6(c.address()) ? 3 : 2;
      case DIRECT_TCP -> 1;
      case RELAY -> 0;
    };
  }

  private void finishLock(Candidate c) {
    Path previous = winner == null ? null : winner.path();
    Strategy found = strategyOf(c);
    if (hard != null && c.path() != Path.RELAY && c.path() != Path.DIRECT_TCP) hard.stop(found == hard.running());
    if (found != strategy || previous != c.path()) deps.stats().strategySuccess(found);
    strategy = found;
    if (directAfterMs < 0 && (c.path() == Path.DIRECT || c.path() == Path.DIRECT_LAN) && attemptStart != 0) {
      directAfterMs = (now() - attemptStart) / 1_000_000L;
    }
    boolean moved = remote != null && !RelayEndpoint.same(remote, c.address());
    boolean resend = state == State.UP && (recovering || moved);
    remote = c.address();
    winner = c;
    pendingPublic = null;
    recovering = false;
    if (graceTimer >= 0) {
      deps.scheduler().cancel(graceTimer);
      graceTimer = -1;
    }
    // keep punching UDP candidates while only the relay or TCP answered
    if (attempt != null && c.path() != Path.RELAY && c.path() != Path.DIRECT_TCP) {
      attempt.locked();
      if (punchTimer >= 0) {
        deps.scheduler().cancel(punchTimer);
        punchTimer = -1;
      }
    }
    if (tcp != null && c.address() instanceof TcpEndpoint link) {
      tcp.won(link);
    } else if (tcp != null && c.path() != Path.RELAY) {
      tcp.stopAll("UDP path " + c + " preferred");
      if (tcpTimer >= 0) deps.scheduler().cancel(tcpTimer);
      tcpTimer = -1;
    }
    if (state == State.CONNECTING) {
      deps.stats().outcome(natPair, c.path().wireName(), (now() - attemptStart) / 1_000_000L);
      transition(State.UP, "path " + c);
      if (!rtt.hasSample()) sendTimestamp(FrameType.PING, now()); // locked by the peer's HELLO: measure the RTT now
    } else if (moved || previous != c.path()) {
      LOG.info(() -> "session " + peerId + " path changed to " + c);
      listener.onPathChanged(this, previous);
    }
    if (moved || pathSocket == null) openPathSocket();
    if ((c.path() == Path.RELAY || c.path() == Path.DIRECT_TCP) && upgradeTimer < 0) {
      upgradeTimer = deps.scheduler().schedule(deps.session().upgradeIntervalMs(), this::upgradeDue);
    }
    if (resend) messages.onPathChange();
    else messages.flush(); // what queued while the session connected leaves now, in order
  }

  /** How {@code c} was found: through the relay, TCP, a hard-NAT try (an address we never punched) or plain punching. */
  private Strategy strategyOf(Candidate c) {
    if (c.path() == Path.RELAY) return Strategy.RELAY;
    if (c.path() == Path.DIRECT_TCP) return Strategy.TCP;
    Strategy tried = hard == null ? null : hard.strategyOf(c.address(), candidates);
    if (tried != null) return tried;
    if (c.path() == Path.DIRECT && strategy != null && strategy != Strategy.RELAY && strategy != Strategy.TCP
      && RelayEndpoint.same(c.address(), remote)) {
      return strategy; // the same path again
    }
    return Strategy.PUNCH;
  }

  /**
   * The peer closed its side of this session and opened a new one while ours stayed up (its BYE was
   * lost, or only it declared the path dead): its new session numbers messages from the start, so
   * ours does too. What awaited a result here fails with 503; nothing is delivered twice.
   */
  void peerStartedOver() {
    LOG.info(() -> "session " + peerId + ": the peer started a new session, messages in flight fail");
    messages.failAll(Failure.UNREACHABLE.exception("peer " + peerId + " started a new session: the message may not have arrived"));
    messages = new MessageExchange(deps.dataPlane(), peerId, link, rtt);
  }

  private void upgradeDue() {
    upgradeTimer = -1;
    if (state != State.UP || (winner.path() != Path.RELAY && winner.path() != Path.DIRECT_TCP)) return;
    startUpgrade();
    upgradeTimer = deps.scheduler().schedule(deps.session().upgradeIntervalMs(), this::upgradeDue);
  }

  /**
   * Punches the direct candidates again for {@code session.relayAfterMs} (from the relay: over TCP
   * too); one HELLO through the current path makes the peer join in.
   */
  private void startUpgrade() {
    boolean fromRelay = winner.path() == Path.RELAY;
    if (winner.path() != Path.DIRECT && winner.path() != Path.DIRECT_LAN) startHard();
    if (candidates.isEmpty() && !(fromRelay && tcpDelay() >= 0)) return;
    startAttempt(null, 0, Math.max(deps.session().punchIntervalMs() * 3, deps.session().relayAfterMs()), fromRelay ? tcpDelay() : -1);
    InetSocketAddress through = fromRelay ? relay : remote;
    if (through != null) {
      sendTo(ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0), through);
    }
  }

  // ---------------------------------------------------------------- inbound frames

  /** A frame routed to this session by its session id; valid only during the call. */
  public void onFrame(FrameType type, ByteBuf frame, InetSocketAddress sender) {
    if (state == State.CLOSED) {
      deps.counters().drop(Drop.UNKNOWN_SESSION);
      return;
    }
    try {
      if (type == FrameType.HELLO_ACK) {
        onHelloAck(frame, sender);
        return;
      }
      if (remote == null) {
        deps.counters().drop(Drop.UNEXPECTED_CONTROL);
        return;
      }
      if (!crypto.open(frame)) return; // counted: forged, corrupted or replayed
      lastReceived = now();
      roamIfMoved(sender);
      if (recovering && RelayEndpoint.same(sender, remote)) {
        recovering = false; // the path came back by itself
        if (attempt != null) attempt.locked();
        stopPunching();
      }
      long pn = FrameCodec.packetNumber(frame);
      frame.skipBytes(FrameCodec.HEADER_BYTES);
      switch (type) {
        case BUNDLE -> messages.onBundle(pn, frame);
        case PING -> sendTimestamp(FrameType.PONG, SessionCodec.readTimestamp(frame));
        case PONG -> rtt.sample(now() - SessionCodec.readTimestamp(frame));
        case PMTU_PROBE -> answerProbe(frame);
        case PMTU_ACK -> {
          SessionCodec.ProbeAck a = SessionCodec.readProbeAck(frame);
          pmtu.onAck(a.size(), a.receiverMax(), a.receiveBuffer());
        }
        case BYE -> {
          SessionCodec.readBye(frame);
          close("peer said goodbye", false);
        }
        default -> deps.counters().drop(Drop.UNEXPECTED_CONTROL);
      }
    } catch (WireException | ClassCastException e) {
      deps.counters().drop(Drop.MALFORMED);
    }
  }

  // ---------------------------------------------------------------- outbound messages

  /**
   * Sends an application message. Accepted in every state but CLOSED: while the session is being
   * introduced and punched, or a path is re-punched, messages queue in order and leave once a path
   * holds, so order holds from the first message. Fails fast with 429 (too many awaiting their
   * result), 413 (larger than {@code session.maxMessageBytes}) or, once closed, with why it closed
   * (503, or 404 for an unknown peer); later with 504 when no result arrives in time.
   *
   * @param kind {@link SessionCodec#KIND_SEND} or {@link SessionCodec#KIND_REQUEST}
   * @return for a send, completes with {@code null} once delivered; for a request, with the reply body
   */
  public Future<Object> send(int kind, String address, Object body, long timeoutMs) {
    return send(kind, address, body, timeoutMs, true);
  }

  /**
   * As {@link #send(int, String, Object, long)}; {@code reliable=false} sends a message once, with
   * no retransmission, no ordering and no result (for latency-sensitive data: games, voice); it
   * completes once queued.
   */
  public Future<Object> send(int kind, String address, Object body, long timeoutMs, boolean reliable) {
    return send(kind, address, body, timeoutMs, reliable, MessageExchange.DEFAULT_PRIORITY);
  }

  /**
   * As {@link #send(int, String, Object, long, boolean)} at urgency {@code priority} (0 most urgent
   * to 7; default 3): a more urgent address goes first, a less urgent one still gets a share. A
   * message to an address without messages under way opens a stream: 429 beyond {@code session.maxStreams}.
   */
  public Future<Object> send(int kind, String address, Object body, long timeoutMs, boolean reliable, int priority) {
    if (state == State.CLOSED) return Future.failedFuture(closedBy);
    return messages.send(kind, address, body, timeoutMs, reliable, priority);
  }

  /**
   * Opens a byte stream to {@code address} on the peer (no handshake: its first bytes open it there).
   * Completes with its id; 429 beyond {@code session.maxStreams}, 503 once closed.
   */
  public Future<Integer> openStream(String address, int priority, OutboundStreamListener listener) {
    if (state == State.CLOSED) return Future.failedFuture(closedBy);
    return messages.openStream(address, priority, listener);
  }

  /** Queues bytes of byte stream {@code id} ({@code end}: and then its end); false when the stream is not open. */
  public boolean writeStream(int id, io.vertx.core.buffer.Buffer bytes, boolean end) {
    return state != State.CLOSED && messages.writeStream(id, bytes, end);
  }

  /** The application's reader consumed {@code bytes} of the peer's byte stream {@code id}: its credit grows. */
  public void streamConsumed(int id, long bytes) {
    if (state != State.CLOSED) messages.streamConsumed(id, bytes);
  }

  /**
   * An unexpected {@link Throwable} (an {@code Error} too) escaped this session's code: counted,
   * logged once with the peer id, and the session is closed (reported as down with the reason).
   * Whatever state it left behind is not trusted again; other sessions are not touched.
   */
  public void fault(Throwable t) {
    deps.counters().fault();
    if (state == State.CLOSED) return;
    LOG.log(java.util.logging.Level.SEVERE, "session " + peerId + ": unexpected " + t + ", closing the session", t);
    String reason = FAULT + t;
    try {
      close(reason, true);
    } catch (Throwable again) { // the state is too broken to close in order: stop, free and report what we can
      if (state != State.CLOSED) {
        closedBy = Failure.UNREACHABLE.exception("session with " + peerId + " closed: " + reason);
        state = State.CLOSED;
        for (Runnable step : new Runnable[] {() -> messages.failAll(closedBy), this::closePathSocket,
          () -> upWaiters.forEach(p -> p.tryFail(closedBy)), () -> listener.onDown(this, reason)}) {
          try {
            step.run();
          } catch (Throwable ignored) { // each step on its own: one failing must not keep the others from running
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- liveness

  /**
   * Heartbeat tick: keepalive on an idle path; after two keepalive intervals of silence the path
   * counts as dead and the session punches again (relay after {@code session.relayAfterMs});
   * down after {@code heartbeat.timeoutMs} of silence.
   */
  public void tick() {
    if (state != State.UP) return;
    long now = now();
    long silence = now - lastReceived;
    long interval = deps.keepaliveMs().getAsLong();
    long timeout = deps.liveTimeoutMs();
    if (silence >= timeout * 1_000_000L) {
      close("no packet for " + timeout + " ms", false);
      return;
    }
    if (silence >= 2 * interval * 1_000_000L && !recovering) {
      recovering = true;
      LOG.info(() -> "session " + peerId + " path " + winner + " silent, punching again");
      startAttempt(winner.path() == Path.RELAY ? null : relay, deps.session().relayAfterMs(),
        timeout - 2 * interval, winner.path() == Path.DIRECT_TCP ? 0 : tcpDelay());
    }
    if (messages.ptoCount() >= 2) pmtu.onBlackHole(); // large datagrams may have stopped arriving: the base size always does
    if (now - lastSent >= interval * 1_000_000L) {
      keepalives++;
      sendTimestamp(FrameType.PING, now);
    }
    if (crypto.rekeyDue()) crypto.startRekey();
    if (crypto.rekeyPending() && !recovering) {
      sendTo(ControlMessage.encode(socket.alloc(), hello(false, now, crypto.helloNoise()), 0), remote);
    }
  }

  private void sendTimestamp(FrameType type, long timestamp) {
    ByteBuf out = header(type, FrameCodec.HEADER_BYTES + 8);
    out.writeLong(timestamp);
    transmit(out);
  }

  /** Resolves once the session is up (at once if it is), fails if it closes first. */
  public Future<PeerSession> whenUp() {
    if (state == State.UP) return Future.succeededFuture(this);
    if (state == State.CLOSED) return Future.failedFuture(closedBy);
    Promise<PeerSession> p = Promise.promise();
    upWaiters.add(p);
    return p.future();
  }

  /** Closes the session: pending messages fail with 503, BYE is sent if asked and a path exists. */
  public void close(String reason, boolean sendBye) {
    close(reason, sendBye, null);
  }

  /**
   * Closes the session; pending and later messages fail with {@code failure} ({@code null}: 503
   * naming the reason), BYE is sent if asked and a path exists.
   */
  public void close(String reason, boolean sendBye, ReplyException failure) {
    if (state == State.CLOSED) return;
    closedBy = failure != null ? failure : Failure.UNREACHABLE.exception("session with " + peerId + " closed: " + reason);
    if (sendBye && remote != null) {
      try {
        ByteBuf out = header(FrameType.BYE, FrameCodec.HEADER_BYTES + 1);
        out.writeByte(0);
        transmit(out);
      } catch (RuntimeException | Error e) { // out of direct memory, say: closing matters more than the goodbye
        LOG.fine(() -> "session " + peerId + ": no goodbye (" + e + ")");
      }
    }
    if (attempt != null) attempt.abandon();
    if (hard != null) hard.close();
    for (long t : new long[] {punchTimer, graceTimer, upgradeTimer, tcpTimer}) {
      if (t >= 0) deps.scheduler().cancel(t);
    }
    transition(State.CLOSED, reason);
    closePathSocket();
    if (tcp != null) tcp.stopAll("session closed"); // a TCP link flushes (the BYE) before it closes
    messages.failAll(closedBy);
  }

  private void transition(State to, String why) {
    State from = state;
    state = to;
    LOG.info(() -> "session " + peerId + " " + from + " -> " + to + " (" + why + ")");
    if (to == State.UP) {
      upSince = now();
      listener.onUp(this);
      List<Promise<PeerSession>> w = new ArrayList<>(upWaiters);
      upWaiters.clear();
      w.forEach(p -> p.complete(this));
    } else if (to == State.CLOSED) {
      List<Promise<PeerSession>> w = new ArrayList<>(upWaiters);
      upWaiters.clear();
      w.forEach(p -> p.fail(closedBy));
      listener.onDown(this, why);
    }
  }

  // ---------------------------------------------------------------- framing

  private ByteBuf header(FrameType type, int capacity) {
    return newFrame(type, capacity, Integer.MAX_VALUE);
  }

  /** A frame for the current path: header with the peer's session id and the next packet number. */
  private ByteBuf newFrame(FrameType type, int initialCapacity, int maxCapacity) {
    // room for the AEAD tag sealing appends
    ByteBuf out = socket.alloc().directBuffer(initialCapacity, maxCapacity == Integer.MAX_VALUE ? maxCapacity
      : maxCapacity + crypto.overhead());
    FrameCodec.writeHeader(out, type, 0, remoteSid, ++packetNumber);
    return out;
  }

  private void transmit(ByteBuf out) {
    if (!crypto.seal(out)) {
      out.release();
      return;
    }
    lastSent = now();
    sendTo(out, remote);
  }

  private ControlMessage.Hello hello(boolean ack, long timestamp, Opaque noise) {
    return new ControlMessage.Hello(ack, token, deps.localPeerId(), localSid, timestamp, noise);
  }

  /** A connected socket for a direct path; on failure the session keeps sending through the listener socket. */
  private void openPathSocket() {
    closePathSocket();
    InetSocketAddress to = remote;
    PacketSocket probed = hard == null ? null : hard.take(to);
    if (probed != null) {
      pathSocket = probed; // the birthday socket the peer's probe reached: the only mapping towards it
      long epoch = ++pathEpoch;
      // connected from now on, as in the accept model: only the peer's datagrams, ICMP for it
      probed.connectTo(to, this::onUnreachable).onComplete(ar -> {
        if (ar.failed()) {
          LOG.fine(() -> "session " + peerId + ": the probed socket stays unconnected (" + ar.cause().getMessage() + ")");
        } else if (epoch == pathEpoch && pathSocket == probed) {
          pmtu.pathUp(Math.min(probed.firstHopMaxDatagram(), probed.readLimit()));
        }
      });
      return;
    }
    if (pathSockets == null || to instanceof RelayEndpoint || to instanceof TcpEndpoint) return;
    long epoch = ++pathEpoch;
    pathSockets.open(to, this::onUnreachable).onComplete(ar -> {
      if (ar.failed()) {
        LOG.fine(() -> "session " + peerId + ": no connected socket (" + ar.cause().getMessage() + ")");
      } else if (epoch != pathEpoch || state == State.CLOSED || !RelayEndpoint.same(remote, to)) {
        ar.result().close(); // the path moved on meanwhile
      } else {
        pathSocket = ar.result();
        int ceiling = Math.min(pathSocket.firstHopMaxDatagram(), pathSocket.readLimit());
        pmtu.pathUp(ceiling);
      }
    });
  }

  private void closePathSocket() {
    pmtu.pathDown();
    pathEpoch++;
    if (pathSocket != null) pathSocket.close();
    pathSocket = null;
  }

  /** ICMP port unreachable on the connected socket: the peer's port is closed, it is gone. */
  private void onUnreachable() {
    // a peer that stops says goodbye, then closes its port: our packet crossing that goodbye comes
    // back as ICMP, which the kernel may report before the goodbye is read; let the goodbye win
    InetSocketAddress at = remote;
    deps.scheduler().schedule(UNREACHABLE_GRACE_MS, () -> {
      if (RelayEndpoint.same(remote, at)) close("ICMP port unreachable from " + Endpoints.format(at), false); // else it moved on
    });
  }

  /** How long an ICMP port unreachable waits for a goodbye that may be queued behind it. */
  static final long UNREACHABLE_GRACE_MS = 50;

  /**
   * Sends a whole frame to {@code to}, wrapped in RELAY when {@code to} is a relay endpoint; a
   * {@link TcpEndpoint} (or a relay reached through one) goes over its TCP connection.
   */
  private void sendTo(ByteBuf frame, InetSocketAddress to) {
    PacketSocket probed = hard == null ? null : hard.socketFor(to);
    if (probed != null) {
      probed.send(frame, to);
    } else if (pathSocket != null && !(to instanceof RelayEndpoint) && !(to instanceof TcpEndpoint) && RelayEndpoint.same(to, remote)) {
      pathSocket.send(frame, to);
    } else if (to instanceof RelayEndpoint r) {
      byte[] inner = new byte[frame.readableBytes()];
      frame.readBytes(inner);
      frame.release();
      // the coordinator as it is reached now: over UDP, or its current registration connection
      InetSocketAddress via = tcpPaths == null ? r.coordinator() : tcpPaths.coordinatorNow(r.coordinator());
      socket.send(ControlMessage.encode(socket.alloc(), new ControlMessage.Relay(deps.localPeerId(), r.peerId(), inner), 0), via);
    } else {
      socket.send(frame, to);
    }
  }

  /**
   * The frame size budget of the current path: what its path MTU search confirmed on a direct path
   * with a connected socket, else {@code listen.maxDatagramBytes}; a relay wrapper takes its share.
   */
  private int budget() {
    if (pathSocket != null && pmtu.current() > deps.maxDatagramBytes()) return pmtu.current() - crypto.overhead();
    return deps.maxDatagramBytes() - crypto.overhead() - (remote instanceof RelayEndpoint ? ControlMessage.RELAY_OVERHEAD : 0);
  }

  /** A path MTU probe: a sealed frame padded so that its datagram is {@code size} bytes. */
  private void sendProbe(int size) {
    if (state != State.UP || !crypto.ready()) return; // its timeout counts it lost
    int padding = size - FrameCodec.HEADER_BYTES - crypto.overhead() - SessionCodec.PROBE_HEADER;
    ByteBuf out = newFrame(FrameType.PMTU_PROBE, size, size - crypto.overhead());
    SessionCodec.writeProbe(out, size, padding);
    transmit(out);
  }

  /**
   * A probe arrived: it must be as large as it says (a relay or TCP path carries no probes), and the
   * answer says which datagrams reach us on this path: a connected socket reads up to
   * {@code listen.maxPathDatagramBytes}, a listener only {@code listen.maxDatagramBytes}.
   */
  private void answerProbe(ByteBuf frame) {
    int arrived = FrameCodec.HEADER_BYTES + frame.readableBytes() + crypto.overhead(); // the tag was taken off by opening
    int claimed = SessionCodec.readProbe(frame);
    if (claimed != arrived) throw new WireException("PMTU_PROBE of " + arrived + " B claims " + claimed);
    int readable = pathSocket != null && pathSocket.readLimit() > 0 ? pathSocket.readLimit() : deps.maxDatagramBytes();
    ByteBuf out = header(FrameType.PMTU_ACK, FrameCodec.HEADER_BYTES + SessionCodec.PROBE_ACK_BYTES);
    SessionCodec.writeProbeAck(out, claimed, Math.min(readable, 65_535), pathSocket == null ? 0 : pathSocket.receiveBufferBytes());
    transmit(out);
  }

  private long now() {
    return deps.scheduler().clock().nanoTime();
  }

  // ---------------------------------------------------------------- views

  /** Which transports this session tried and what became of each ({@code p2p.peers}). */
  private JsonObject transports() {
    Path p = winner == null ? null : winner.path();
    boolean trying = attempt != null && attempt.active();
    String udp = p == Path.DIRECT || p == Path.DIRECT_LAN ? "won" : candidates.isEmpty() ? "no candidates"
      : trying ? "punching" : attempt == null ? "not tried" : "no answer";
    JsonObject tcpJson = tcp == null ? new JsonObject().put("tried", false).put("connections", new io.vertx.core.json.JsonArray())
      : tcp.toJson();
    tcpJson.put("outcome", p == Path.DIRECT_TCP ? "won" : tcp == null ? "off" : tcpCandidates.isEmpty() ? "no candidates"
      : !tcp.started() ? "not needed" : trying ? "punching" : "no connection");
    return new JsonObject()
      .put("udp", new JsonObject().put("candidates", candidates.size()).put("outcome", udp))
      .put("tcp", tcpJson.put("candidates", tcpCandidates.size()))
      .put("relay", new JsonObject().put("via", relay == null ? null : relay.toString())
        .put("outcome", p == Path.RELAY ? "won" : relay == null ? "none" : "standby"));
  }

  public String peerId() { return peerId; }
  public int localSessionId() { return localSid; }
  public State state() { return state; }
  /** The path in use, or {@code null} before one is locked. */
  public Path path() { return winner == null ? null : winner.path(); }
  public InetSocketAddress remote() { return remote; }
  public RttEstimator rtt() { return rtt; }
  public int inFlight() { return messages.inFlight(); }

  /** The {@code p2p.peers} entry for this session. */
  public JsonObject toJson() {
    return new JsonObject().put("peerId", peerId).put("state", state.name())
      .put("path", winner == null ? null : winner.path().wireName())
      .put("remote", remote == null ? null : Endpoints.format(remote))
      .put("candidate", winner == null ? null : winner.toString())
      .put("natPair", natPair)
      .put("strategy", strategy == null ? null : strategy.wireName())
      .put("directAfterMs", directAfterMs < 0 ? null : directAfterMs)
      .put("hardNat", hard == null ? null : hard.toJson())
      .put("connectedSocket", pathSocket != null)
      .put("keepalivesSent", keepalives)
      .put("rttMs", rtt.hasSample() ? rtt.srttMs() : null).put("rttVarMs", rtt.hasSample() ? rtt.rttvarMs() : null)
      .put("sessionId", Integer.toUnsignedString(localSid)).put("remoteSessionId", Integer.toUnsignedString(remoteSid))
      .put("inFlight", messages.inFlight())
      .put("keySets", crypto.keySets())
      .put("transports", transports())
      .put("transport", messages.toJson().put("pathMtu", pmtu.toJson()))
      .put("upForMs", state == State.UP ? (now() - upSince) / 1_000_000L : 0);
  }
}
