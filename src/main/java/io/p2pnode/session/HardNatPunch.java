package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.punch.BirthdayProbe;
import io.p2pnode.punch.HardNatPlan;
import io.p2pnode.punch.Strategy;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.WireException;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * A session's hard-NAT tries ({@link HardNatPlan}, {@link BirthdayProbe}): at most
 * {@code punch.hardAttempts} per session, each with the strategy the plan gives for its number,
 * next to the ordinary punching and the relay (which never wait for it). On the hard side, the
 * socket a probe reached is handed to the session as its path socket. Session thread only.
 */
final class HardNatPunch {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("p2p.punch");
  private final String peerId;
  private final HardNatDeps deps;
  private final Scheduler scheduler;
  private final Counters counters;
  private final PunchStats stats;
  private BirthdayProbe current;
  private int tries;
  /** Hard side: the socket a probe reached, and the peer's address it serves, until the session's path takes it. */
  private PacketSocket won;
  private InetSocketAddress wonFor;

  HardNatPunch(String peerId, HardNatDeps deps, Scheduler scheduler, Counters counters, PunchStats stats) {
    this.peerId = peerId;
    this.deps = deps;
    this.scheduler = scheduler;
    this.counters = counters;
    this.stats = stats;
  }

  /**
   * Starts the next try when the pair has a strategy, tries remain and none runs.
   *
   * @param remotePublic the peer's public endpoint as its coordinator saw it
   * @param hello        builds one HELLO of the session (probe and opening packet)
   * @param onWin        hard side: a probe reached one of our sockets
   * @return the strategy started, or {@code null}
   */
  Strategy start(NatProfile remote, long token, InetSocketAddress remotePublic, PacketSocket listener, Supplier<ByteBuf> hello,
                 BirthdayProbe.Winner onWin) {
    if (current != null && current.active()) return null;
    NatProfile local = deps.localNat().get();
    HardNatPlan.Role role = HardNatPlan.role(local, remote);
    if (role == null || tries >= deps.options().hardAttempts() || deps.options().hardSockets() == 0 || remotePublic == null
      || remotePublic.getPort() == 0) {
      return null;
    }
    int sockets = deps.options().hardSockets();
    if (role == HardNatPlan.Role.HARD && !deps.budget().reserveSockets(sockets)) {
      LOG.fine(() -> "hard NAT try with " + peerId + " postponed: the node holds its most probe sockets");
      return null; // the next relay upgrade asks again
    }
    Strategy strategy = HardNatPlan.strategy(role == HardNatPlan.Role.HARD ? local : remote, tries);
    tries++;
    // each retry's opening packets go one hop further: a hard side behind two NATs of its own needs 3
    int ttl = deps.options().openingTtl() == 0 ? 0 : Math.min(255, deps.options().openingTtl() + tries - 1);
    BirthdayProbe.Setup setup = new BirthdayProbe.Setup(peerId, role, strategy, sockets,
      deps.options().birthdayProbes(), ttl, token * 31 + tries);
    BirthdayProbe p = new BirthdayProbe(setup, scheduler, counters, hello);
    current = p;
    stats.strategyAttempt(strategy);
    p.onEnd(done -> {
      if (done.setup().role() == HardNatPlan.Role.HARD) deps.budget().releaseSockets(sockets);
      stats.probesSent(strategy, done.setup().role() == HardNatPlan.Role.EASY ? done.probesSent() : done.socketsOpened());
      if (done.state() != BirthdayProbe.State.WON) stats.strategyFailure(strategy);
    });
    if (role == HardNatPlan.Role.EASY) {
      p.startEasy(listener, remotePublic.getAddress(), remotePublic.getPort() + 1, deps.budget());
    } else {
      long sprayMs = (long) Math.ceil(deps.options().birthdayProbes() * 1000.0 / deps.options().birthdayRate());
      p.startHard(deps.sockets(), remotePublic, frame -> authentic(frame, token), onWin,
        2 * BirthdayProbe.SPRAY_DELAY_MS + sprayMs + 2_000);
    }
    return strategy;
  }

  /** Whether {@code frame} is a HELLO or HELLO_ACK of this pair (its introduction token and the peer's id). */
  private boolean authentic(ByteBuf frame, long token) {
    ControlMessage.Hello h = hello(frame);
    return h != null && h.token() == token && h.peerId().equals(peerId);
  }

  /** The HELLO or HELLO_ACK in {@code frame} (indices untouched), or {@code null}. */
  static ControlMessage.Hello hello(ByteBuf frame) {
    try {
      FrameType t = FrameCodec.check(frame);
      if (t != FrameType.HELLO && t != FrameType.HELLO_ACK) return null;
      ByteBuf b = frame.duplicate();
      b.skipBytes(FrameCodec.HEADER_BYTES);
      return (ControlMessage.Hello) ControlMessage.decode(t, b);
    } catch (WireException | ClassCastException e) {
      return null;
    }
  }

  /** Hard side: a probe from {@code from} reached {@code socket}; it serves {@code from} until {@link #take} hands it to the path. */
  void adopt(PacketSocket socket, InetSocketAddress from) {
    if (won != null && won != socket) won.close();
    won = socket;
    wonFor = from;
  }

  /** The adopted socket when {@code to} is the address it serves (a plain UDP address), else {@code null}. */
  PacketSocket socketFor(InetSocketAddress to) {
    boolean plain = !(to instanceof io.p2pnode.transport.RelayEndpoint) && !(to instanceof io.p2pnode.transport.TcpEndpoint);
    return won != null && plain && io.p2pnode.transport.RelayEndpoint.same(to, wonFor) ? won : null;
  }

  /** As {@link #socketFor}, handing the socket over: the session's path owns (and closes) it from now on. */
  PacketSocket take(InetSocketAddress to) {
    PacketSocket s = socketFor(to);
    if (s != null) {
      won = null;
      wonFor = null;
    }
    return s;
  }

  /**
   * The strategy that found {@code address}, or {@code null} when no try did: on the hard side the
   * address a probe came from, on the easy side an answer from an address never punched while a try runs.
   */
  Strategy strategyOf(InetSocketAddress address, java.util.List<Candidate> punched) {
    if (socketFor(address) != null) return last();
    boolean known = punched.stream().anyMatch(x -> io.p2pnode.transport.RelayEndpoint.same(x.address(), address));
    return running() != null && !known ? running() : null;
  }

  /** The session closes: the try stops and a socket not handed over closes. */
  void close() {
    stop(false);
    if (won != null) won.close();
    won = null;
  }

  /** The strategy of the try running now, or {@code null}. */
  Strategy running() {
    return current != null && current.active() ? current.setup().strategy() : null;
  }

  /** The strategy of the last try (running or not), or {@code null}. */
  Strategy last() {
    return current == null ? null : current.setup().strategy();
  }

  /** A path was locked ({@code byThisTry}: through the running try) or the session closes: the try stops. */
  void stop(boolean byThisTry) {
    if (current != null) current.stop(byThisTry);
  }

  int tries() {
    return tries;
  }

  /** For {@code p2p.peers}. */
  io.vertx.core.json.JsonObject toJson() {
    return new io.vertx.core.json.JsonObject().put("tries", tries).put("max", deps.options().hardAttempts())
      .put("strategy", current == null ? null : current.setup().strategy().wireName())
      .put("role", current == null ? null : current.setup().role().name().toLowerCase(java.util.Locale.ROOT))
      .put("state", current == null ? null : current.state().name())
      .put("probesSent", current == null ? 0 : current.probesSent())
      .put("socketsOpened", current == null ? 0 : current.socketsOpened());
  }
}
