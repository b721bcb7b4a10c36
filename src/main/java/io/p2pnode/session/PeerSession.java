package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.Endpoints;
import io.p2pnode.dataplane.MessageExchange;
import io.p2pnode.dataplane.OutboundStreamListener;
import io.p2pnode.dataplane.PathMtu;
import io.p2pnode.dataplane.RttEstimator;
import io.p2pnode.dataplane.SessionCrypto;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.PeerKey;
import io.p2pnode.wire.SessionCodec;
import io.p2pnode.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One remote peer: the thin owner of its path finding ({@link PathFinder}) and its data plane
 * ({@link MessageExchange}, {@link SessionCrypto}, {@link PathMtu}), which writes through the
 * session's {@link SessionLink}; it keeps the lifecycle and liveness, and routes inbound frames.
 * Single-threaded: every method runs on the owning {@link SessionVerticle}'s context (tests call it
 * directly with a manual clock).
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
  private final SessionLink link;
  private final SessionCrypto crypto;
  /** Path MTU discovery on the direct path's connected socket. */
  private final PathMtu pmtu;
  private final PathFinder finder;
  private HardNatPunch hard;
  /** The data plane; replaced when the peer starts a new session while this one is up. */
  private MessageExchange messages;
  private final List<Promise<PeerSession>> upWaiters = new ArrayList<>();

  private State state = State.CONNECTING;
  private long lastReceived;
  private long upSince;
  private long keepalives;
  /** Why the session closed: what later sends and waiters fail with. */
  private ReplyException closedBy;

  public PeerSession(SessionDeps deps, String peerId, int localSid, PacketSocket socket, SessionListener listener) {
    this.deps = deps;
    this.peerId = peerId;
    this.localSid = localSid;
    this.socket = socket;
    this.listener = listener;
    this.lastReceived = now();
    this.crypto = new SessionCrypto(deps.localKey(), peerId, deps.counters(), deps.session().rekeyAfterPackets(),
      deps.session().rekeyAfterMs(), deps.scheduler().clock());
    this.pmtu = new PathMtu(deps.scheduler(), rtt, deps.maxDatagramBytes(), this::sendProbe, peerId);
    this.finder = new PathFinder(deps, peerId, localSid, socket, crypto, rtt, new PathOwner() {
      public void sendTo(ByteBuf frame, InetSocketAddress to) {
        link.send(frame, to);
      }

      public void heard() {
        lastReceived = now();
      }

      public void locked(Candidate c, Path previous, boolean moved, boolean resend) {
        PeerSession.this.locked(c, previous, moved, resend);
      }

      public void peerStartedOver() {
        PeerSession.this.peerStartedOver();
      }

      public void failed(String reason) {
        close(reason, false);
      }
    });
    this.link = new SessionLink(deps, peerId, socket, finder, crypto, pmtu, () -> state, reason -> close(reason, false));
    this.messages = new MessageExchange(deps.dataPlane(), peerId, link, rtt);
  }

  /** Use connected per-peer sockets for direct paths (the UDP accept model); without, everything goes through {@code socket}. */
  public void pathSockets(PathSockets sockets) {
    link.pathSockets(sockets);
  }

  /** Punch over TCP too, with connections from {@code paths}; without, this session uses UDP and the relay only. */
  public void tcpPaths(TcpPaths paths) {
    finder.tcpPaths(paths);
    link.tcpPaths(paths);
  }

  /** Try hard-NAT strategies (birthday probing, port prediction) too; without, none. */
  public void hardNat(HardNatDeps hardDeps) {
    hard = hardDeps == null ? null : new HardNatPunch(peerId, hardDeps, deps.scheduler(), deps.counters(), deps.stats());
    finder.hardNat(hard);
    link.hardNat(hard);
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
    if (state != State.CLOSED) finder.introduce(token, candidates, tcpCandidates, tcpAtOnce, relayVia, remoteNat, remoteKey);
  }

  /** A HELLO (first contact, session id 0) from this peer; the manager checked nothing but the peer id. */
  public void onHello(ControlMessage.Hello hello, InetSocketAddress from) {
    if (state == State.CLOSED) deps.counters().drop(Drop.HELLO_REJECTED);
    else finder.onHello(hello, from);
  }

  /** The path finder locked {@code c}: the session is up, or its path changed; the data plane follows. */
  private void locked(Candidate c, Path previous, boolean moved, boolean resend) {
    if (state == State.CONNECTING) {
      transition(State.UP, "path " + c);
      if (!rtt.hasSample()) sendTimestamp(FrameType.PING, now()); // locked by the peer's HELLO: measure the RTT now
    } else if (moved || previous != c.path()) {
      LOG.info(() -> "session " + peerId + " path changed to " + c);
      listener.onPathChanged(this, previous);
    }
    if (moved || !link.connected()) link.openSocket();
    if (resend) messages.onPathChange();
    else messages.flush(); // what queued while the session connected leaves now, in order
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

  // ---------------------------------------------------------------- inbound frames

  /** A frame routed to this session by its session id; valid only during the call. */
  public void onFrame(FrameType type, ByteBuf frame, InetSocketAddress sender) {
    if (state == State.CLOSED) {
      deps.counters().drop(Drop.UNKNOWN_SESSION);
      return;
    }
    try {
      if (type == FrameType.HELLO_ACK) {
        finder.onHelloAck(frame, sender);
        return;
      }
      if (finder.remote() == null) {
        deps.counters().drop(Drop.UNEXPECTED_CONTROL);
        return;
      }
      ByteBuf plain = crypto.open(frame);
      if (plain == null) return; // counted: forged, corrupted or replayed
      try {
        onOpened(type, plain, sender);
      } finally {
        if (plain != frame) plain.release();
      }
    } catch (WireException | ClassCastException e) {
      deps.counters().drop(Drop.MALFORMED);
    }
  }

  /** A frame that authenticated (opened, on the heap when it was sealed), its header still on. */
  private void onOpened(FrameType type, ByteBuf frame, InetSocketAddress sender) {
    lastReceived = now();
    finder.onAuthenticated(sender);
    long pn = FrameCodec.packetNumber(frame);
    frame.skipBytes(FrameCodec.HEADER_BYTES);
    switch (type) {
      case BUNDLE -> messages.onBundle(pn, frame);
      case PING -> sendTimestamp(FrameType.PONG, SessionCodec.readTimestamp(frame));
      case PONG -> rtt.sample(now() - SessionCodec.readTimestamp(frame));
      case PMTU_PROBE -> link.answerProbe(frame);
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

  /** The application's writer resets byte stream {@code id} with {@code code}; false when it is not open. */
  public boolean resetStream(int id, long code) {
    return state != State.CLOSED && messages.resetStream(id, code);
  }

  /** The application's reader resets the peer's byte stream {@code id} with {@code code}; false when it is not open. */
  public boolean resetInbound(int id, long code) {
    return state != State.CLOSED && messages.resetInbound(id, code);
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
        for (Runnable step : new Runnable[] {() -> messages.failAll(closedBy), link::closeSocket, finder::close,
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
    if (silence >= 2 * interval * 1_000_000L) finder.pathSilent(timeout - 2 * interval);
    if (messages.ptoCount() >= 2) pmtu.onBlackHole(); // large datagrams may have stopped arriving: the base size always does
    if (now - link.lastSent() >= interval * 1_000_000L) {
      keepalives++;
      sendTimestamp(FrameType.PING, now);
    }
    if (crypto.rekeyDue()) crypto.startRekey();
    if (crypto.rekeyPending() && !finder.recovering()) finder.sendHello(finder.remote());
  }

  private void sendTimestamp(FrameType type, long timestamp) {
    ByteBuf out = link.header(type, FrameCodec.HEADER_BYTES + 8);
    out.writeLong(timestamp);
    link.transmit(out);
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
    if (sendBye && finder.remote() != null) {
      try {
        ByteBuf out = link.header(FrameType.BYE, FrameCodec.HEADER_BYTES + 1);
        out.writeByte(0);
        link.transmit(out);
      } catch (RuntimeException | Error e) { // out of direct memory, say: closing matters more than the goodbye
        LOG.fine(() -> "session " + peerId + ": no goodbye (" + e + ")");
      }
    }
    transition(State.CLOSED, reason);
    link.closeSocket();
    finder.close(); // after the goodbye: a TCP link flushes it before it closes
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

  /** A path MTU probe of {@code size} bytes on the current path. */
  private void sendProbe(int size) {
    link.sendProbe(size);
  }

  private long now() {
    return deps.scheduler().clock().nanoTime();
  }

  // ---------------------------------------------------------------- views

  public String peerId() { return peerId; }
  public int localSessionId() { return localSid; }
  public State state() { return state; }
  /** The path in use, or {@code null} before one is locked. */
  public Path path() { return finder.winner() == null ? null : finder.winner().path(); }
  public InetSocketAddress remote() { return finder.remote(); }
  public RttEstimator rtt() { return rtt; }
  public int inFlight() { return messages.inFlight(); }

  /** The {@code p2p.peers} entry for this session. */
  public JsonObject toJson() {
    Candidate winner = finder.winner();
    InetSocketAddress remote = finder.remote();
    long directAfterMs = finder.directAfterMs();
    return new JsonObject().put("peerId", peerId).put("state", state.name())
      .put("path", winner == null ? null : winner.path().wireName())
      .put("remote", remote == null ? null : Endpoints.format(remote))
      .put("candidate", winner == null ? null : winner.toString())
      .put("natPair", finder.natPair())
      .put("strategy", finder.strategy() == null ? null : finder.strategy().wireName())
      .put("directAfterMs", directAfterMs < 0 ? null : directAfterMs)
      .put("hardNat", hard == null ? null : hard.toJson())
      .put("connectedSocket", link.connected())
      .put("keepalivesSent", keepalives)
      .put("rttMs", rtt.hasSample() ? rtt.srttMs() : null).put("rttVarMs", rtt.hasSample() ? rtt.rttvarMs() : null)
      .put("sessionId", Integer.toUnsignedString(localSid))
      .put("remoteSessionId", Integer.toUnsignedString(finder.remoteSessionId()))
      .put("inFlight", messages.inFlight())
      .put("keySets", crypto.keySets())
      .put("transports", finder.transports())
      .put("transport", messages.toJson().put("pathMtu", pmtu.toJson()))
      .put("upForMs", state == State.UP ? (now() - upSince) / 1_000_000L : 0);
  }
}
