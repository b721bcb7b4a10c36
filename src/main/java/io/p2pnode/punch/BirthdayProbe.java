package io.p2pnode.punch;

import io.netty.buffer.ByteBuf;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.PacketHandler;
import io.p2pnode.transport.PacketSocket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One try at a direct path between an endpoint-dependent ("hard") NAT and an endpoint-independent
 * ("easy") one, after the birthday paradox: the hard side opens {@code punch.hardSockets} sockets
 * and sends one opening packet from each towards the easy side's public endpoint with a low IP
 * TTL (each opens its own mapping in the hard side's NAT, none reaches the easy side's NAT); the
 * easy side sends probes from its one port to distinct ports of the hard side's public address,
 * paced, until one of them hits a mapping and an answer comes back.
 *
 * <pre>
 * hard: OPENING --first socket open--> PROBING --authentic probe on socket k--> WON (k stays, the rest close)
 * easy: OPENING --spray delay--> PROBING --{@link #stop} after an answer--> WON
 * any:  OPENING | PROBING --deadline, all probes sent, {@link #stop}--> FAILED
 * </pre>
 * Probes and opening packets are whatever {@code probe} builds (the session's HELLO with the
 * introduction token); the hard side takes only a datagram that {@code authentic} accepts and
 * that comes from the introduced address, and answers nothing itself. Runs on the session's
 * thread; {@link #transition} is the one place that changes state.
 */
public final class BirthdayProbe {
  private static final Logger LOG = Logger.getLogger("p2p.punch");
  /** The easy side waits this long for the hard side's sockets to open before it sprays. */
  public static final long SPRAY_DELAY_MS = 100;
  /** Spray pace: probes leave in batches this far apart. */
  static final long TICK_MS = 10;
  /** The hard side keeps its sockets this long after the easy side's last probe would have left. */
  static final long LINGER_MS = 1_000;

  /** Where the try is. */
  public enum State { OPENING, PROBING, WON, FAILED }

  /** What a hard side does with the socket a probe reached: adopt it as the session's path and handle the probe. */
  @FunctionalInterface
  public interface Winner {
    void won(PacketSocket socket, InetSocketAddress from, ByteBuf probe);
  }

  /** How the try is set up. */
  public record Setup(String peerId, HardNatPlan.Role role, Strategy strategy, int sockets, int maxProbes, int ttl, long seed) {
  }

  private final Setup setup;
  private final Scheduler scheduler;
  private final Counters counters;
  private final Supplier<ByteBuf> probe;
  private State state = State.OPENING;
  private final List<PacketSocket> sockets = new ArrayList<>();
  private PacketSocket winner;
  private long timer = -1;
  private long deadlineTimer = -1;
  private int probesSent;
  private int opened;
  private int socketFailures;
  // easy side
  private PacketSocket listener;
  private InetAddress hardIp;
  private PortSequence ports;
  private ProbeBudget budget;
  // hard side
  private InetSocketAddress easy;
  private ProbeSockets factory;
  private Predicate<ByteBuf> authentic;
  private Winner onWin;
  private java.util.function.Consumer<BirthdayProbe> onEnd = p -> { };

  /** @param probe builds one probe / opening datagram (the caller's HELLO); called once per batch */
  public BirthdayProbe(Setup setup, Scheduler scheduler, Counters counters, Supplier<ByteBuf> probe) {
    this.setup = setup;
    this.scheduler = scheduler;
    this.counters = counters;
    this.probe = probe;
  }

  /**
   * Easy side: after {@link #SPRAY_DELAY_MS}, sprays probes from {@code listener} to distinct
   * ports of {@code hardIp} at the pace {@code budget} allows, at most {@code setup.maxProbes()}.
   *
   * @param predictFrom first port of the prediction window (the hard side's last observed port + 1), 0 for none
   */
  public void startEasy(PacketSocket listener, InetAddress hardIp, int predictFrom, ProbeBudget budget) {
    this.listener = listener;
    this.hardIp = hardIp;
    this.budget = budget;
    this.ports = new PortSequence(setup.seed(), setup.strategy() == Strategy.PREDICTION ? predictFrom : 0,
      setup.strategy() == Strategy.PREDICTION ? Math.max(64, 2 * setup.sockets()) : 0);
    long sprayMs = (long) Math.ceil(setup.maxProbes() * 1000.0 / budget.ratePerSec());
    deadlineTimer = scheduler.schedule(SPRAY_DELAY_MS + sprayMs + LINGER_MS, () -> {
      deadlineTimer = -1;
      fail("no answer");
    });
    timer = scheduler.schedule(SPRAY_DELAY_MS, this::spray);
  }

  /**
   * Hard side: opens {@code setup.sockets()} sockets through {@code factory}, each sending one
   * opening datagram to {@code easy} with TTL {@code setup.ttl()}; the first socket that receives a
   * datagram from {@code easy}'s address which {@code authentic} accepts wins.
   *
   * @param holdMs how long to keep the sockets open for the easy side's probes
   */
  public void startHard(ProbeSockets factory, InetSocketAddress easy, Predicate<ByteBuf> authentic, Winner onWin, long holdMs) {
    this.factory = factory;
    this.easy = easy;
    this.authentic = authentic;
    this.onWin = onWin;
    deadlineTimer = scheduler.schedule(holdMs, () -> {
      deadlineTimer = -1;
      fail("no probe arrived");
    });
    PacketHandler handler = this::onHardPacket;
    for (int i = 0; i < setup.sockets(); i++) {
      factory.open(setup.ttl(), handler).onComplete(ar -> {
        if (ar.failed()) {
          socketFailures++;
          if (socketFailures == setup.sockets()) fail("no socket opened: " + ar.cause().getMessage());
          return;
        }
        PacketSocket s = ar.result();
        if (state == State.WON || state == State.FAILED) {
          s.close();
          return;
        }
        sockets.add(s);
        opened++;
        s.send(probe.get(), easy);
        if (state == State.OPENING) transition(State.PROBING, opened + " socket(s) open");
      });
    }
  }

  private void spray() {
    timer = -1;
    if (state == State.WON || state == State.FAILED) return;
    if (state == State.OPENING) transition(State.PROBING, "spraying " + hardIp.getHostAddress());
    int perTick = (int) Math.max(1, budget.ratePerSec() * TICK_MS / 1000);
    int n = budget.take(Math.min(perTick, setup.maxProbes() - probesSent));
    if (n > 0) {
      ByteBuf one = probe.get();
      try {
        for (int i = 0; i < n; i++) {
          int port = ports.next();
          if (port < 0) break;
          listener.send(one.retainedDuplicate(), new InetSocketAddress(hardIp, port));
          probesSent++;
        }
      } finally {
        one.release();
      }
    }
    if (probesSent < setup.maxProbes()) timer = scheduler.schedule(TICK_MS, this::spray);
  }

  /** {@code action} runs once when the try ends (WON or FAILED), on the session's thread. */
  public void onEnd(java.util.function.Consumer<BirthdayProbe> action) {
    this.onEnd = action;
  }

  private void onHardPacket(PacketSocket s, ByteBuf data, InetSocketAddress from) {
    if (state == State.WON && s == winner) {
      factory.router().onPacket(s, data, from);
      return;
    }
    if (state != State.PROBING || !from.getAddress().equals(easy.getAddress()) || !authentic.test(data.duplicate())) {
      counters.drop(Drop.PROBE_REJECTED);
      return;
    }
    winner = s;
    transition(State.WON, "probe from " + from + " reached socket " + s.localAddress());
    s.ttl(0); // the session's traffic must reach the peer
    onWin.won(s, from, data);
  }

  /**
   * The session found a path ({@code won}: through this try) or closes: stops probing; the hard
   * side closes every socket but a winner (which the session owns now).
   */
  public void stop(boolean won) {
    if (state == State.WON || state == State.FAILED) {
      return;
    }
    if (won) transition(State.WON, "answered");
    else fail("stopped");
  }

  private void fail(String why) {
    if (state == State.WON || state == State.FAILED) return;
    transition(State.FAILED, why);
  }

  private void transition(State to, String why) {
    State from = state;
    state = to;
    LOG.fine(() -> "birthday " + setup.peerId() + " " + setup.role() + " " + setup.strategy() + " " + from + " -> " + to
      + " (" + why + "; " + probesSent + " probes, " + opened + " sockets)");
    if (to == State.WON || to == State.FAILED) {
      if (timer >= 0) scheduler.cancel(timer);
      if (deadlineTimer >= 0) scheduler.cancel(deadlineTimer);
      timer = -1;
      deadlineTimer = -1;
      for (PacketSocket s : sockets) if (s != winner) s.close();
      sockets.clear();
      onEnd.accept(this);
    }
  }

  public State state() { return state; }
  public Setup setup() { return setup; }
  /** Probes sent so far (easy side). */
  public int probesSent() { return probesSent; }
  /** Sockets opened so far (hard side). */
  public int socketsOpened() { return opened; }
  public boolean active() { return state == State.OPENING || state == State.PROBING; }
}
