package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.dataplane.RttEstimator;
import io.p2pnode.dataplane.SessionCrypto;
import io.p2pnode.punch.Strategy;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.transport.RelayEndpoint;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.Opaque;
import io.p2pnode.wire.PeerKey;
import io.p2pnode.wire.WireException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.logging.Logger;

/**
 * Path finding for one peer session: introductions, candidates, punch rounds ({@link PunchAttempt}),
 * TCP punching ({@link TcpPunch}), hard-NAT tries ({@link HardNatPunch}), the relay as fallback,
 * upgrades from it, recovery of a silent path and roaming. Single-threaded, on the session's
 * context and clock; it sends through its {@link PathOwner} and reports the path it locked there.
 *
 * <p>States ({@link #transition} is the one place that changes them and logs it):
 * <pre>
 *   IDLE ──introduce──▶ PUNCHING ──a UDP candidate answers──▶ DIRECT
 *                          │  └──the relay or TCP answers──▶ UPGRADING ──UDP answers──▶ DIRECT
 *                          └──connect timeout──▶ FAILED          └──attempt over──▶ FALLBACK
 *   FALLBACK ──session.upgradeIntervalMs──▶ UPGRADING
 *   DIRECT / FALLBACK / UPGRADING ──path silent, TCP path closed──▶ RECOVERING
 *   RECOVERING ──a candidate answers, the path comes back, attempt over──▶ DIRECT / UPGRADING / FALLBACK
 *   any ──close──▶ CLOSED
 * </pre>
 */
final class PathFinder {
  private static final Logger LOG = Logger.getLogger("p2p.session");

  /** Where path finding stands. */
  enum State {
    /** No introduction yet. */ IDLE,
    /** Punching, nothing locked: the session is connecting. */ PUNCHING,
    /** On a direct UDP path (LAN, IPv6 or IPv4). */ DIRECT,
    /** On the relay or a TCP path, still punching UDP candidates (an upgrade, or the first attempt going on). */ UPGRADING,
    /** On the relay or a TCP path, not punching: an upgrade is tried every {@code session.upgradeIntervalMs}. */ FALLBACK,
    /** The path went silent (or its TCP connection closed): punching again, sending waits. */ RECOVERING,
    /** No candidate answered within {@code session.connectTimeoutMs}: the session closes. */ FAILED,
    /** The session closed: nothing runs any more. */ CLOSED
  }

  private final SessionDeps deps;
  private final String peerId;
  private final int localSid;
  private final PacketSocket socket;
  private final SessionCrypto crypto;
  private final RttEstimator rtt;
  private final PathOwner host;

  private State state = State.IDLE;
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
  private long attemptStart;
  private String natPair = "unknown/unknown";
  private TcpPunch tcp;
  private List<Candidate> tcpCandidates = List.of();
  private boolean tcpAtOnce;
  private long tcpTimer = -1;
  private NatProfile remoteNat = NatProfile.UNKNOWN;
  private HardNatPunch hard;
  /** How the current path was found. */
  private Strategy strategy;
  /** Time from the introduction to the first direct path, ms; -1 until there is one. */
  private long directAfterMs = -1;

  PathFinder(SessionDeps deps, String peerId, int localSid, PacketSocket socket, SessionCrypto crypto, RttEstimator rtt,
             PathOwner host) {
    this.deps = deps;
    this.peerId = peerId;
    this.localSid = localSid;
    this.socket = socket;
    this.crypto = crypto;
    this.rtt = rtt;
    this.host = host;
  }

  /** Punch over TCP too, with connections from {@code paths}; without, UDP and the relay only. */
  void tcpPaths(TcpPaths paths) {
    // a TCP connection made here is up: first contact on it, as a punch would be
    this.tcp = paths == null ? null : new TcpPunch(peerId, paths, deps.scheduler(), link -> {
      if (state != State.CLOSED) sendHello(link);
    }, this::onTcpClosed);
  }

  /** Try hard-NAT strategies (birthday probing, port prediction) with {@code punch} too; without (null), none. */
  void hardNat(HardNatPunch punch) {
    this.hard = punch;
  }

  // ---------------------------------------------------------------- events

  /** An introduction: see {@link PeerSession#introduce(long, List, List, boolean, InetSocketAddress, NatProfile, PeerKey)}. */
  void introduce(long token, List<Candidate> candidates, List<Candidate> tcpCandidates, boolean tcpAtOnce,
                 InetSocketAddress relayVia, NatProfile remoteNat, PeerKey remoteKey) {
    if (state == State.CLOSED) return;
    if (token != 0 && token == this.token) return; // a repeated copy of the introduction this session runs on
    // an IPv4-only listener cannot send to IPv6 candidates, nor an IPv6-only one to IPv4 ones
    InetSocketAddress bound = socket.localAddress();
    candidates = Candidate.reachable(bound, candidates);
    this.tcpCandidates = Candidate.reachable(bound, tcpCandidates);
    this.tcpAtOnce = tcpAtOnce;
    crypto.introduced(remoteKey, token);
    if (winner == null && attemptStart == 0) {
      natPair = deps.localNat().get().wireName() + "/" + remoteNat.wireName();
      this.remoteNat = remoteNat;
      attemptStart = now();
      deps.stats().attempt(natPair);
    }
    this.token = token;
    this.candidates = candidates;
    this.relay = relayVia == null ? null : new RelayEndpoint(relayVia, peerId);
    if (hard != null) hard.stop(false); // a new token: a try of the old one cannot authenticate any more
    startAttempt(relay, deps.session().relayAfterMs(), deps.session().connectTimeoutMs(), tcpDelay(), "introduced");
    if (state != State.CLOSED && (winner == null || !direct(winner))) startHard();
  }

  /** A HELLO (first contact, session id 0) from this peer; the manager checked nothing but the peer id. */
  void onHello(ControlMessage.Hello hello, InetSocketAddress from) {
    if (state == State.CLOSED || attempt == null || hello.token() != token) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    if (from instanceof TcpEndpoint link && tcp != null) tcp.accepted(link);
    Opaque answer = crypto.onHello(hello.noise());
    if (answer == null) return; // counted: a handshake that does not hold
    host.heard();
    host.sendTo(ControlMessage.encode(socket.alloc(), hello(true, hello.timestamp(), answer), hello.senderSessionId()), from);
    if (!crypto.ready()) {
      // answered, not locked: the handshake has to cross first; as initiator, send it on this path now that it is open
      if (crypto.initiating()) sendHello(from);
      return;
    }
    // the peer punches through the relay (or our TCP path) while we are on it: it is trying to upgrade, join in
    boolean nudge = from instanceof RelayEndpoint && winner != null && winner.path() == Path.RELAY
      || from instanceof TcpEndpoint && winner != null && winner.path() == Path.DIRECT_TCP && RelayEndpoint.same(from, remote);
    if (up() && nudge && (attempt == null || !attempt.active())) startUpgrade();
    lock(from, hello.senderSessionId());
  }

  /** A HELLO_ACK frame (header included) answering our HELLO. */
  void onHelloAck(ByteBuf frame, InetSocketAddress from) {
    ControlMessage.Hello ack;
    try {
      frame.skipBytes(FrameCodec.HEADER_BYTES);
      ack = (ControlMessage.Hello) ControlMessage.decode(FrameType.HELLO_ACK, frame);
    } catch (WireException | ClassCastException e) {
      deps.counters().drop(Drop.MALFORMED);
      return;
    }
    if (state == State.CLOSED || attempt == null || ack.token() != token || !ack.peerId().equals(peerId)) {
      deps.counters().drop(Drop.HELLO_REJECTED);
      return;
    }
    if (!crypto.onHelloAck(ack.noise())) return;
    host.heard();
    rtt.sample(now() - ack.timestamp());
    lock(from, ack.senderSessionId());
  }

  /**
   * An authenticated frame of this session from {@code sender}: a recovering path that speaks
   * again needs no more punching; from another direct address, the peer roamed there. Only sealed
   * frames count: a spoofed source cannot produce one, and a replayed one is dropped before this.
   */
  void onAuthenticated(InetSocketAddress sender) {
    roamIfMoved(sender);
    if (state == State.RECOVERING && RelayEndpoint.same(sender, remote)) {
      if (attempt != null) attempt.locked();
      stopPunching();
      transition(settled(), "the path came back");
    }
  }

  /** The path was silent for two keepalive intervals: punch again (the relay after its delay) for {@code timeoutMs}; sending waits. */
  void pathSilent(long timeoutMs) {
    if (!up() || state == State.RECOVERING) return;
    transition(State.RECOVERING, "path " + winner + " silent, punching again");
    startAttempt(winner.path() == Path.RELAY ? null : relay, deps.session().relayAfterMs(), timeoutMs,
      winner.path() == Path.DIRECT_TCP ? 0 : tcpDelay(), "punching again");
  }

  /** Sends a HELLO with fresh handshake noise to {@code to} (a punch, or a key renewal on the path). */
  void sendHello(InetSocketAddress to) {
    host.sendTo(helloFrame(), to);
  }

  private ByteBuf helloFrame() {
    return ControlMessage.encode(socket.alloc(), hello(false, now(), crypto.helloNoise()), 0);
  }

  /** Stops every attempt, timer and try; TCP links flush what they hold (a goodbye) before they close. */
  void close() {
    if (state == State.CLOSED) return;
    if (attempt != null) attempt.abandon();
    if (hard != null) hard.close();
    for (long t : new long[] {punchTimer, graceTimer, upgradeTimer, tcpTimer}) cancel(t);
    transition(State.CLOSED, "session closed");
    if (tcp != null) tcp.stopAll("session closed");
  }

  // ---------------------------------------------------------------- punching

  /** Starts a hard-NAT try when the pair has one left (the relay and plain punching go on meanwhile). */
  private void startHard() {
    if (hard == null) return;
    InetSocketAddress remotePublic = candidates.stream().filter(c -> c.path() == Path.DIRECT).map(Candidate::address)
      .findFirst().orElse(null);
    Strategy started = hard.start(remoteNat, token, remotePublic, socket, this::helloFrame, this::onProbeWon);
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
    if (h.ack()) onHelloAck(frame, from);
    else onHello(h, from);
  }

  /** The path is back without a new lock (frames arrived on it again): no more punching, over TCP neither. */
  private void stopPunching() {
    punchTimer = cancel(punchTimer);
    tcpTimer = cancel(tcpTimer);
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
  private void startAttempt(RelayEndpoint via, long relayAfterMs, long timeoutMs, long tcpAfterMs, String why) {
    if (attempt != null) attempt.abandon();
    attempt = new PunchAttempt(peerId, token, candidates, via, now(), relayAfterMs, timeoutMs);
    if (!candidates.isEmpty()) deps.stats().strategyAttempt(Strategy.PUNCH);
    if (via != null && relayAfterMs < timeoutMs) deps.stats().strategyAttempt(Strategy.RELAY);
    punchTimer = cancel(punchTimer);
    tcpTimer = cancel(tcpTimer);
    if (state != State.RECOVERING) transition(settled(), why);
    if (tcpAfterMs >= 0 && tcp != null && !tcpCandidates.isEmpty()) {
      long deadline = now() + timeoutMs * 1_000_000L;
      PunchAttempt current = attempt;
      Runnable startTcp = () -> {
        tcpTimer = -1;
        if (state != State.CLOSED && attempt == current && current.active() && state != State.DIRECT) {
          deps.stats().strategyAttempt(Strategy.TCP);
          tcp.start(tcpCandidates, deadline);
        }
      };
      if (tcpAfterMs == 0) startTcp.run();
      else tcpTimer = deps.scheduler().schedule(tcpAfterMs, startTcp);
    }
    punchRound();
  }

  /** A TCP connection closed: when it carried the session, find a path again (TCP at once, relay after its delay). */
  private void onTcpClosed(TcpEndpoint link) {
    if (!up() || !RelayEndpoint.same(link, remote)) return;
    transition(State.RECOVERING, "TCP path closed (" + link.link().closeReason() + "), punching again");
    startAttempt(relay, deps.session().relayAfterMs(), deps.liveTimeoutMs(), tcp == null || tcpCandidates.isEmpty() ? -1 : 0,
      "punching again");
  }

  private void punchRound() {
    punchTimer = -1;
    if (state == State.CLOSED || attempt == null) return;
    if (!attempt.active()) return; // locked or abandoned meanwhile: no round, no reschedule
    List<InetSocketAddress> targets = attempt.round(now());
    if (attempt.state() == PunchAttempt.State.FAILED) {
      if (!candidates.isEmpty()) deps.stats().strategyFailure(Strategy.PUNCH);
      if (tcp != null && (winner == null || winner.path() != Path.DIRECT_TCP)) tcp.stopAll("attempt over without a TCP path");
      if (winner == null) {
        deps.stats().outcome(natPair, "failed", (now() - attemptStart) / 1_000_000L);
        String reason = "no candidate answered within " + deps.session().connectTimeoutMs() + " ms";
        transition(State.FAILED, reason);
        host.failed(reason);
      } else {
        transition(settled(), "attempt over");
      }
      return;
    }
    for (InetSocketAddress to : targets) sendHello(to);
    // TCP connections not yet authenticated: HELLO again (the peer may not have had its introduction yet)
    if (tcp != null) {
      for (TcpEndpoint link : tcp.open()) sendHello(link);
    }
    punchTimer = deps.scheduler().schedule(deps.session().punchIntervalMs(), this::punchRound);
  }

  private void upgradeDue() {
    upgradeTimer = -1;
    if (!up() || direct(winner)) return;
    startUpgrade();
    upgradeTimer = deps.scheduler().schedule(deps.session().upgradeIntervalMs(), this::upgradeDue);
  }

  /**
   * Punches the direct candidates again for {@code session.relayAfterMs} (from the relay: over TCP
   * too); one HELLO through the current path makes the peer join in.
   */
  private void startUpgrade() {
    boolean fromRelay = winner.path() == Path.RELAY;
    if (!direct(winner)) startHard();
    if (candidates.isEmpty() && !(fromRelay && tcpDelay() >= 0)) return;
    startAttempt(null, 0, Math.max(deps.session().punchIntervalMs() * 3, deps.session().relayAfterMs()),
      fromRelay ? tcpDelay() : -1, "upgrading from " + winner.path().wireName());
    InetSocketAddress through = fromRelay ? relay : remote;
    if (through != null) sendHello(through);
  }

  // ---------------------------------------------------------------- locking

  /**
   * Roaming: an authenticated frame from another direct address (the peer's NAT re-mapped it, or
   * the peer moved) makes that address the path at once ({@link Candidate#roamed}); sealed sessions only.
   */
  private void roamIfMoved(InetSocketAddress sender) {
    Candidate moved = deps.localKey() == null || !up() ? null : Candidate.roamed(sender, winner, candidates);
    if (moved == null) return;
    LOG.info(() -> "session " + peerId + " roamed: " + remote + " -> " + sender);
    finishLock(moved);
  }

  /**
   * A candidate answered. While connecting, a public answer waits {@code session.lanGraceMs} for
   * a LAN (or direct IPv6) candidate, which wins. An UP session never trades its path for a worse
   * one unless it is recovering from silence.
   */
  private void lock(InetSocketAddress from, int remoteSessionId) {
    Candidate c = Candidate.answering(from, candidates);
    if (up() && remoteSid != 0 && remoteSessionId != remoteSid) host.peerStartedOver();
    remoteSid = remoteSessionId;
    if (up() && state != State.RECOVERING && Candidate.rank(c) <= Candidate.rank(winner) && !RelayEndpoint.same(from, remote)) {
      return;
    }
    if (winner == null && c.path() != Path.DIRECT_LAN && deps.session().lanGraceMs() > 0
      && (Candidate.lanMayAnswer(candidates, deps.localPublic()) || Candidate.v6MayAnswer(c, candidates))) {
      if (pendingPublic == null || Candidate.rank(c) > Candidate.rank(pendingPublic)) pendingPublic = c;
      if (graceTimer < 0) {
        graceTimer = deps.scheduler().schedule(deps.session().lanGraceMs(), () -> {
          graceTimer = -1;
          if (winner == null && state != State.CLOSED && pendingPublic != null) finishLock(pendingPublic);
        });
      }
      return;
    }
    finishLock(c);
  }

  private void finishLock(Candidate c) {
    Path previous = winner == null ? null : winner.path();
    Strategy found = strategyOf(c);
    if (hard != null && c.path() != Path.RELAY && c.path() != Path.DIRECT_TCP) hard.stop(found == hard.running());
    if (found != strategy || previous != c.path()) deps.stats().strategySuccess(found);
    strategy = found;
    if (directAfterMs < 0 && direct(c) && attemptStart != 0) directAfterMs = (now() - attemptStart) / 1_000_000L;
    boolean moved = remote != null && !RelayEndpoint.same(remote, c.address());
    boolean resend = winner != null && (state == State.RECOVERING || moved);
    remote = c.address();
    winner = c;
    pendingPublic = null;
    graceTimer = cancel(graceTimer);
    // keep punching UDP candidates while only the relay or TCP answered
    if (attempt != null && direct(c)) {
      attempt.locked();
      punchTimer = cancel(punchTimer);
    }
    if (tcp != null && c.address() instanceof TcpEndpoint link) {
      tcp.won(link);
    } else if (tcp != null && c.path() != Path.RELAY) {
      tcp.stopAll("UDP path " + c + " preferred");
      tcpTimer = cancel(tcpTimer);
    }
    if (previous == null) deps.stats().outcome(natPair, c.path().wireName(), (now() - attemptStart) / 1_000_000L);
    transition(settled(), "path " + c);
    if (!direct(c) && upgradeTimer < 0) {
      upgradeTimer = deps.scheduler().schedule(deps.session().upgradeIntervalMs(), this::upgradeDue);
    }
    host.locked(c, previous, moved, resend);
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

  /** Where path finding stands when nothing is recovering: from what is locked and whether an attempt runs. */
  private State settled() {
    if (winner == null) return attempt == null ? State.IDLE : State.PUNCHING;
    if (direct(winner)) return State.DIRECT;
    return attempt != null && attempt.active() ? State.UPGRADING : State.FALLBACK;
  }

  private void transition(State to, String why) {
    State from = state;
    if (from == to || from == State.CLOSED) return;
    state = to;
    LOG.info(() -> "session " + peerId + " path finding " + from + " -> " + to + " (" + why + ")");
    host.transitioned(from, to, why);
  }

  /** Whether a path is locked and the session has not closed. */
  private boolean up() {
    return winner != null && state != State.CLOSED;
  }

  private static boolean direct(Candidate c) {
    return c.path() == Path.DIRECT || c.path() == Path.DIRECT_LAN;
  }

  private ControlMessage.Hello hello(boolean ack, long timestamp, Opaque noise) {
    return new ControlMessage.Hello(ack, token, deps.localPeerId(), localSid, timestamp, noise);
  }

  /** Cancels {@code timer} if set; returns what the timer's field holds then (-1: none). */
  private long cancel(long timer) {
    if (timer >= 0) deps.scheduler().cancel(timer);
    return -1;
  }

  private long now() {
    return deps.scheduler().clock().nanoTime();
  }

  // ---------------------------------------------------------------- views

  State state() { return state; }
  /** Sending waits while the path is re-punched. */
  boolean recovering() { return state == State.RECOVERING; }
  /** The locked candidate, or {@code null}. */
  Candidate winner() { return winner; }
  InetSocketAddress remote() { return remote; }
  int remoteSessionId() { return remoteSid; }
  String natPair() { return natPair; }
  Strategy strategy() { return strategy; }
  long directAfterMs() { return directAfterMs; }

  /** Which transports this session tried and what became of each ({@code p2p.peers}). */
  JsonObject transports() {
    Path p = winner == null ? null : winner.path();
    boolean trying = attempt != null && attempt.active();
    String udp = p == Path.DIRECT || p == Path.DIRECT_LAN ? "won" : candidates.isEmpty() ? "no candidates"
      : trying ? "punching" : attempt == null ? "not tried" : "no answer";
    JsonObject tcpJson = tcp == null ? new JsonObject().put("tried", false).put("connections", new JsonArray()) : tcp.toJson();
    tcpJson.put("outcome", p == Path.DIRECT_TCP ? "won" : tcp == null ? "off" : tcpCandidates.isEmpty() ? "no candidates"
      : !tcp.started() ? "not needed" : trying ? "punching" : "no connection");
    return new JsonObject()
      .put("udp", new JsonObject().put("candidates", candidates.size()).put("outcome", udp))
      .put("tcp", tcpJson.put("candidates", tcpCandidates.size()))
      .put("relay", new JsonObject().put("via", relay == null ? null : relay.toString())
        .put("outcome", p == Path.RELAY ? "won" : relay == null ? "none" : "standby"));
  }
}
