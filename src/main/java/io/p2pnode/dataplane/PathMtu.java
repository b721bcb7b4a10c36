package io.p2pnode.dataplane;

import io.p2pnode.time.Scheduler;
import io.vertx.core.json.JsonObject;

import java.util.logging.Logger;

/**
 * Datagram packetization layer path MTU discovery (RFC 8899) for one direct UDP path: which
 * datagram size the path carries, so that a loopback or jumbo-frame path takes datagrams of up to
 * 64 KB and the data plane packs many messages into each (fewer seals, syscalls and ACKs).
 *
 * <p>{@code BASE_PLPMTU} is {@code listen.maxDatagramBytes} (1200 B: it crosses any path). The
 * search starts once the path has its connected socket: a probe of the base size confirms the
 * path and learns the largest datagram the peer reads there; the next probe tries the ceiling
 * ({@code min(our ceiling, the peer's)}, the ceiling being the egress interface's MTU bound and
 * {@code listen.maxPathDatagramBytes}) at once, which settles a loopback or LAN path in one round
 * trip; on a path that loses it, a binary search between the last size that arrived and the
 * smallest that did not. A size fails after {@link #MAX_PROBES} unanswered probes. Probes are
 * ordinary sealed frames, acknowledged by the peer; their loss says nothing about congestion.
 *
 * <p>States: {@code DISABLED} (relay, TCP, no connected socket) → {@code BASE} (waiting to start)
 * → {@code SEARCHING} → {@code SEARCH_COMPLETE}; {@link #onBlackHole} (two probe timeouts of the
 * data plane in a row) probes the size in use again and falls back to {@code BASE} and a new
 * search only when that goes unanswered; {@link #RAISE_TIMER_MS} after a complete search it looks
 * for more, and a peer that could read only the base size (its connected socket was not open
 * yet) is asked again after {@link #PEER_RECHECK_MS}. {@link #event}'s callers are the only place that change the state,
 * through {@link #transition}. Single-threaded, on a manual clock in tests.
 */
public final class PathMtu {
  private static final Logger LOG = Logger.getLogger("p2p.session");

  /** RFC 8899 MAX_PROBES: a size counts as too large after this many unanswered probes. */
  static final int MAX_PROBES = 3;
  /** RFC 8899 PMTU_RAISE_TIMER: a complete search is tried again after 10 minutes (a route may have grown). */
  static final long RAISE_TIMER_MS = 600_000;
  /** The search starts this long after the connected socket opened, so the peer's socket is open too. */
  static final long START_DELAY_MS = 100;
  /**
   * A search stopped by the peer (it read only the base size: its socket was not open yet; or it
   * answered no probe) is tried again after this long, at most {@link #PEER_RECHECKS} times.
   */
  static final long PEER_RECHECK_MS = 2_000;
  static final int PEER_RECHECKS = 3;
  /** The binary search stops when the bounds are this close: 1 % of a 1 500 B LAN, a few bytes of 64 KB datagrams lost. */
  static final int SEARCH_RESOLUTION = 16;
  /** Without an RTT sample, a probe waits this long for its answer. */
  static final long INITIAL_PROBE_TIMEOUT_MS = 300;
  /**
   * Shortest wait for a probe's answer: a peer whose event loop works through a backlog answers
   * late, and a late answer must not pass for a lost probe (nothing hurries a search).
   */
  static final long MIN_PROBE_TIMEOUT_MS = 100;

  /** Discovery states (RFC 8899 §5.2, without its ERROR state: the base size is confirmed by the path's handshake). */
  public enum State { DISABLED, BASE, SEARCHING, SEARCH_COMPLETE }

  /** Events of the machine. */
  enum Event { PATH_UP, PATH_DOWN, START, PROBE_ACKED, PROBE_TIMEOUT, BLACK_HOLE, RAISE }

  /** Sends one probe: a sealed frame whose datagram is exactly {@code datagramBytes}. */
  @FunctionalInterface
  public interface Prober {
    void probe(int datagramBytes);
  }

  private final Scheduler scheduler;
  private final RttEstimator rtt;
  private final int base;
  private final Prober prober;
  private final String peerId;

  private State state = State.DISABLED;
  private int localMax;
  private int peerMax = -1;
  private long peerBuffer;
  /** The confirmed size (PLPMTU). */
  private int plpmtu;
  /** Smallest size known not to arrive (exclusive upper bound of the search). */
  private int failed;
  private int probing;
  private int probeCount;
  private long timer = -1;
  private int peerRechecks;
  private long probesSent;
  private long probesLost;
  private long blackHoles;
  private long falseAlarms;
  /** The size in use is being confirmed after {@link #onBlackHole}: if it fails, back to the base. */
  private boolean confirming;

  /**
   * @param base   the size every path carries ({@code listen.maxDatagramBytes})
   * @param prober sends a probe datagram of the given size
   */
  public PathMtu(Scheduler scheduler, RttEstimator rtt, int base, Prober prober, String peerId) {
    this.scheduler = scheduler;
    this.rtt = rtt;
    this.base = base;
    this.prober = prober;
    this.peerId = peerId;
    this.plpmtu = base;
  }

  /** A direct path with its own socket is up; {@code localMax}: the largest datagram it may carry from here (0: unknown). */
  public void pathUp(int localMax) {
    this.localMax = localMax;
    event(Event.PATH_UP, 0, 0);
  }

  /** The path is gone, moved, or is not one to probe (relay, TCP): the base size, no probes. */
  public void pathDown() {
    event(Event.PATH_DOWN, 0, 0);
  }

  /** The peer answered a probe of {@code size}; it reads datagrams of up to {@code receiverMax} on this path. */
  void onAck(int size, int receiverMax) {
    event(Event.PROBE_ACKED, size, receiverMax);
  }

  /** As {@link #onAck(int, int)}; its socket there holds {@code receiveBuffer} bytes (kernel accounting, 0: unknown). */
  public void onAck(int size, int receiverMax, long receiveBuffer) {
    if (state == State.SEARCHING && size == probing && size == base) peerBuffer = receiveBuffer;
    onAck(size, receiverMax);
  }

  /**
   * Most bytes in flight the peer's socket holds if its event loop stalls: its receive buffer,
   * less the kernel's per-datagram overhead at the current size, three quarters of it (the rest
   * for keepalives and control), at least {@link #MIN_DATAGRAMS_IN_FLIGHT} datagrams;
   * {@link Long#MAX_VALUE} when the peer did not say.
   */
  public long receiveLimit() {
    if (peerBuffer <= 0) return Long.MAX_VALUE;
    long d = plpmtu;
    // never below a few datagrams: a peer that reports a tiny (or a bogus) buffer slows its own session, it does not stall it
    return Math.max(MIN_DATAGRAMS_IN_FLIGHT * d, peerBuffer * d / truesize(d) * 3 / 4);
  }

  /** The floor of {@link #receiveLimit}, in datagrams of the current size. */
  static final int MIN_DATAGRAMS_IN_FLIGHT = 4;

  /**
   * What a datagram of {@code d} bytes costs a receive buffer in Linux's accounting: small ones
   * sit in a power-of-two slab with the socket buffer's own structures (1 200 B take about
   * 2.3 KB); large ones in pages.
   */
  static long truesize(long d) {
    if (d < 3840) return Long.highestOneBit(d + 256 - 1) * 2 + 256;
    return d + 4096;
  }

  /**
   * Datagrams may have stopped arriving (the data plane's probe timer fired twice in a row): the
   * size in use is probed; if {@link #MAX_PROBES} probes of it go unanswered, back to the base size
   * and search again. A busy peer that answers late is a false alarm, not a smaller path.
   */
  public void onBlackHole() {
    if (plpmtu > base && state == State.SEARCH_COMPLETE) event(Event.BLACK_HOLE, 0, 0);
  }

  /** The datagram size the path carries now. */
  public int current() {
    return plpmtu;
  }

  public State state() {
    return state;
  }

  /** The one event method: every state change goes through here. */
  void event(Event e, int size, int receiverMax) {
    switch (e) {
      case PATH_UP -> {
        reset();
        peerRechecks = 0;
        peerBuffer = 0;
        if (localMax <= base) {
          transition(State.DISABLED, "the path carries no more than " + base + " B from here");
          return;
        }
        transition(State.BASE, "path up, ceiling " + localMax + " B");
        timer = scheduler.schedule(START_DELAY_MS, () -> {
          timer = -1;
          event(Event.START, 0, 0);
        });
      }
      case PATH_DOWN -> {
        reset();
        peerBuffer = 0;
        transition(State.DISABLED, "path down");
      }
      case START, RAISE -> {
        if (state != State.BASE && state != State.SEARCH_COMPLETE) return;
        failed = Integer.MAX_VALUE;
        peerMax = -1;
        transition(State.SEARCHING, e == Event.RAISE ? "looking for a larger size" : "probing");
        probe(base);
      }
      case PROBE_ACKED -> {
        if (state != State.SEARCHING) return; // unasked or late
        if (size == base && peerMax < 0) peerMax = receiverMax;
        if (size != probing) { // an earlier probe answered late: the size arrives all the same
          if (size > plpmtu && size < failed && size <= Math.min(localMax, peerMax < 0 ? base : peerMax)) plpmtu = size;
          return;
        }
        cancelTimer();
        if (confirming) {
          confirming = false;
          falseAlarms++;
          finish("confirmed", false);
          return;
        }
        if (size > plpmtu) plpmtu = size;
        next();
      }
      case PROBE_TIMEOUT -> {
        if (state != State.SEARCHING) return;
        probesLost++;
        if (probeCount < MAX_PROBES) {
          send();
          return;
        }
        if (confirming) {
          confirming = false;
          blackHoles++;
          int was = plpmtu;
          reset();
          transition(State.BASE, "datagrams of " + was + " B stopped arriving");
          event(Event.START, 0, 0);
          return;
        }
        if (probing == base) { // three small probes unanswered: the path or the peer is in trouble, not too small
          finish("base probes unanswered", true);
          return;
        }
        failed = probing;
        next();
      }
      case BLACK_HOLE -> {
        confirming = true;
        transition(State.SEARCHING, "confirming " + plpmtu + " B");
        probe(plpmtu);
      }
    }
  }

  /** After an answer or a failed size: the next size to probe, or the search is complete. */
  private void next() {
    int ceiling = Math.min(localMax, peerMax < 0 ? base : peerMax);
    int hi = Math.min(ceiling, failed - 1);
    if (hi <= plpmtu) {
      boolean peerLimited = peerMax >= 0 && peerMax <= base && localMax > base;
      finish(peerLimited ? "the peer reads " + peerMax + " B" : "done", peerLimited);
      return;
    }
    if (failed == Integer.MAX_VALUE) {
      probe(hi); // the ceiling first: a loopback or LAN path takes it
    } else if (hi - plpmtu < SEARCH_RESOLUTION) {
      finish("resolution reached", false);
    } else {
      probe(plpmtu + (hi - plpmtu + 1) / 2);
    }
  }

  /** The search ends; {@code retrySoon}: what stopped it may pass (a peer's socket not yet open, a busy peer). */
  private void finish(String why, boolean retrySoon) {
    transition(State.SEARCH_COMPLETE, why + ", " + plpmtu + " B");
    long delay = retrySoon && peerRechecks < PEER_RECHECKS ? PEER_RECHECK_MS : RAISE_TIMER_MS;
    if (retrySoon) peerRechecks++;
    timer = scheduler.schedule(delay, () -> {
      timer = -1;
      event(Event.RAISE, 0, 0);
    });
  }

  private void probe(int size) {
    probing = size;
    probeCount = 0;
    send();
  }

  private void send() {
    cancelTimer();
    probeCount++;
    probesSent++;
    prober.probe(probing);
    timer = scheduler.schedule(probeTimeoutMs(), () -> {
      timer = -1;
      event(Event.PROBE_TIMEOUT, 0, 0);
    });
  }

  private long probeTimeoutMs() {
    if (!rtt.hasSample()) return INITIAL_PROBE_TIMEOUT_MS;
    return Math.max(MIN_PROBE_TIMEOUT_MS, (3 * rtt.srttNanos() + 4 * rtt.rttvarNanos()) / 1_000_000L);
  }

  private void reset() {
    cancelTimer();
    plpmtu = base;
    failed = Integer.MAX_VALUE;
    probing = 0;
    probeCount = 0;
    confirming = false;
  }

  private void cancelTimer() {
    if (timer >= 0) scheduler.cancel(timer);
    timer = -1;
  }

  private void transition(State to, String why) {
    State from = state;
    state = to;
    if (from != to) LOG.fine(() -> "session " + peerId + " path MTU " + from + " -> " + to + " (" + why + ")");
  }

  /** For {@code p2p.peers}. */
  public JsonObject toJson() {
    return new JsonObject().put("state", state.name()).put("bytes", plpmtu).put("ceiling", localMax)
      .put("peerMax", peerMax < 0 ? null : peerMax).put("peerReceiveBuffer", peerBuffer).put("probesSent", probesSent).put("probesLost", probesLost)
      .put("blackHoles", blackHoles).put("falseAlarms", falseAlarms);
  }
}
