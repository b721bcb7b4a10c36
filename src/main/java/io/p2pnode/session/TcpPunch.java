package io.p2pnode.session;

import io.p2pnode.config.Endpoints;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.TcpConnectException;
import io.p2pnode.transport.TcpEndpoint;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * TCP hole punching for one session: connects from the node's TCP port to every TCP candidate
 * of the peer while the node's listener goes on accepting, so simultaneous open succeeds
 * whichever of {@code connect()} and {@code accept()} yields the connection. A connect refused
 * (RST), unreachable or timed out is tried again after {@link #RETRY_MS} (doubling up to
 * {@link #MAX_RETRY_MS}) until the attempt's deadline. Connections that arrive from the peer
 * ({@link #accepted}) join the ones made here; once the session authenticated one of them
 * ({@link #won}) every other is closed. A connection with the candidate that exists already
 * (this node's registration connection to its coordinator, whose own node the peer is, or the
 * coordinator's end of the peer's one) is used as it is and never closed here: it is shared.
 * Single-threaded: the session's thread.
 *
 * <pre>
 * per candidate:  CONNECTING --ok--> CONNECTED --won--> WON
 *                 CONNECTING --RST/unreachable/timeout, before deadline--> WAITING --delay--> CONNECTING
 *                 CONNECTING --4-tuple in use (its SYN was accepted) | deadline | other error--> FAILED
 *                 CONNECTED | WON | LOST --closed--> CLOSED
 *                 CONNECTED | ACCEPTED --another won--> LOST --{@link #LOSER_GRACE_MS}--> closed; LOST --won--> WON
 * </pre>
 * {@link #transition} is the one place a candidate's state changes.
 */
final class TcpPunch {
  private static final Logger LOG = Logger.getLogger("p2p.punch");
  /** First retry delay after a refused, unreachable or timed-out connect. */
  static final long RETRY_MS = 200;
  /** Longest retry delay. */
  static final long MAX_RETRY_MS = 1_000;
  /** Longest a single connect may wait for SYN-ACK (the kernel retransmits the SYN at 1 s, 3 s). */
  static final long CONNECT_TIMEOUT_MS = 3_000;
  /**
   * A losing connection stays open this long: the peer may have locked another one first, and
   * then moves to ours when our sealed frames arrive on it (roaming); closing at once could kill
   * the connection each side just chose.
   */
  static final long LOSER_GRACE_MS = 2_000;

  enum State { CONNECTING, WAITING, CONNECTED, ACCEPTED, WON, LOST, FAILED, CLOSED }

  private final class Try {
    final InetSocketAddress to;
    State state;
    int tries;
    long delay = RETRY_MS;
    long timer = -1;
    String detail = "";
    TcpEndpoint link;
    /** Someone else's connection (a registration connection): used, never closed from here. */
    boolean shared;
    /** Which connect the pending callback belongs to: a stop and a restart start another. */
    int generation;

    Try(InetSocketAddress to, State state) {
      this.to = to;
      this.state = state;
    }
  }

  private final String peerId;
  private final TcpPaths paths;
  private final Scheduler scheduler;
  private final Consumer<TcpEndpoint> onConnected;
  private final Consumer<TcpEndpoint> onClosed;
  private final Map<InetSocketAddress, Try> byTarget = new LinkedHashMap<>();
  private final List<Try> inbound = new ArrayList<>();
  private long deadlineNanos;
  private boolean started;

  /**
   * @param onConnected a connection made here is up: the session sends its HELLO on it
   * @param onClosed    a connection closed (the session's path, perhaps)
   */
  TcpPunch(String peerId, TcpPaths paths, Scheduler scheduler, Consumer<TcpEndpoint> onConnected, Consumer<TcpEndpoint> onClosed) {
    this.peerId = peerId;
    this.paths = paths;
    this.scheduler = scheduler;
    this.onConnected = onConnected;
    this.onClosed = onClosed;
  }

  /** Connects to every candidate that has no connection or attempt under way, until {@code deadlineNanos}. */
  void start(List<Candidate> candidates, long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
    started = true;
    for (Candidate c : candidates) {
      Try t = byTarget.get(c.address());
      if (t == null) {
        t = new Try(c.address(), State.WAITING);
        byTarget.put(c.address(), t);
      }
      if (t.state == State.WAITING || t.state == State.FAILED || t.state == State.CLOSED) {
        if (t.timer >= 0) scheduler.cancel(t.timer);
        t.delay = RETRY_MS;
        connect(t);
      }
    }
  }

  private void connect(Try t) {
    t.timer = -1;
    long left = (deadlineNanos - now()) / 1_000_000L;
    if (left <= 0) {
      transition(t, State.FAILED, "deadline passed after " + t.tries + " tries");
      return;
    }
    if (useExisting(t, paths.existing(t.to), "")) return;
    t.tries++;
    int generation = ++t.generation;
    transition(t, State.CONNECTING, "try " + t.tries);
    paths.connect(t.to, Math.min(CONNECT_TIMEOUT_MS, left)).onComplete(ar -> {
      if (t.state != State.CONNECTING || t.generation != generation) { // stopped (or restarted) meanwhile
        if (ar.succeeded()) ar.result().link().close();
        return;
      }
      if (ar.succeeded() && ar.result().equals(ar.result().link().localAddress())) {
        // a private candidate that is our own address (both LANs use the same range): TCP connected us to ourselves
        ar.result().link().close();
        transition(t, State.FAILED, "connected to itself");
        return;
      }
      if (ar.succeeded()) {
        t.link = ar.result();
        transition(t, State.CONNECTED, "connect() returned");
        watch(t);
        onConnected.accept(t.link);
        return;
      }
      TcpConnectException.Kind kind = ar.cause() instanceof TcpConnectException e ? e.kind() : TcpConnectException.Kind.OTHER;
      if (kind == TcpConnectException.Kind.IN_USE && useExisting(t, paths.existing(t.to), "in_use: ")) return;
      String why = kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + ar.cause().getMessage();
      boolean retry = kind == TcpConnectException.Kind.REFUSED || kind == TcpConnectException.Kind.UNREACHABLE
        || kind == TcpConnectException.Kind.TIMEOUT;
      if (retry && now() + t.delay * 1_000_000L < deadlineNanos) {
        transition(t, State.WAITING, why);
        t.timer = scheduler.schedule(t.delay, () -> connect(t));
        t.delay = Math.min(MAX_RETRY_MS, t.delay * 2);
      } else {
        transition(t, State.FAILED, why);
      }
    });
  }

  /**
   * A connection with the candidate exists already: one the peer made that our listener accepted
   * (its HELLO follows on it: tracked as accepted), or someone else's, such as a registration
   * connection (used as it is, shared: never closed from here; HELLO goes on it at once).
   *
   * @return false when there is none
   */
  private boolean useExisting(Try t, TcpEndpoint there, String why) {
    if (there == null) return false;
    if (there.link().inbound() && !there.link().claimed()) {
      accepted(there);
      transition(t, State.FAILED, why + "the peer's connection was accepted here");
      return true;
    }
    t.link = there;
    t.shared = true;
    transition(t, State.CONNECTED, why + "a connection there is (shared)");
    watch(t);
    onConnected.accept(there);
    return true;
  }

  /** A connection the peer made (our listener accepted it) carried its HELLO. */
  void accepted(TcpEndpoint link) {
    for (Try t : inbound) if (t.link == link) return;
    for (Try t : byTarget.values()) if (t.link == link) return;
    Try t = new Try(link, State.ACCEPTED);
    t.link = link;
    // a registration connection (the peer's, held by our coordinator; or ours, to the coordinator the peer runs in)
    t.shared = link.link().claimed() || !link.link().inbound();
    t.detail = t.shared ? "accept() returned (registration connection)" : "accept() returned";
    inbound.add(t);
    watch(t);
  }

  private void watch(Try t) {
    TcpEndpoint link = t.link;
    paths.onClose(link, () -> {
      if (t.link != link) return;
      if (t.state == State.CONNECTED || t.state == State.ACCEPTED || t.state == State.WON || t.state == State.LOST) {
        transition(t, State.CLOSED, String.valueOf(link.link().closeReason()));
      }
      onClosed.accept(link);
    });
  }

  /** The open connections not yet authenticated: where the session sends its HELLOs. */
  List<TcpEndpoint> open() {
    List<TcpEndpoint> out = new ArrayList<>();
    forEach(t -> {
      if ((t.state == State.CONNECTED || t.state == State.ACCEPTED) && t.link.link().isOpen()) out.add(t.link);
    });
    return out;
  }

  /** The session authenticated its peer on {@code link}: it is the path; every other connection closes. */
  void won(TcpEndpoint link) {
    link.link().claim();
    forEach(t -> {
      if (t.link == link) {
        if (t.timer >= 0) scheduler.cancel(t.timer);
        t.timer = -1;
        transition(t, State.WON, "authenticated first");
      } else if (t.state == State.CONNECTED || t.state == State.ACCEPTED || t.state == State.WON) {
        transition(t, State.LOST, "another connection won");
        t.timer = scheduler.schedule(LOSER_GRACE_MS, () -> {
          t.timer = -1;
          if (t.state == State.LOST && !t.shared) t.link.link().close();
        });
      } else if (t.state != State.LOST) {
        stop(t, State.FAILED, "another connection won");
      }
    });
  }

  /** Stops connecting and closes every connection (the session found a better path, or closes). */
  void stopAll(String why) {
    forEach(t -> stop(t, t.state == State.WON || t.state == State.CONNECTED || t.state == State.ACCEPTED || t.state == State.LOST
      ? State.CLOSED : State.FAILED, why));
  }

  private void stop(Try t, State to, String why) {
    if (t.timer >= 0) {
      scheduler.cancel(t.timer);
      t.timer = -1;
    }
    if (t.state == State.FAILED || t.state == State.CLOSED) return;
    transition(t, to, why);
    if (t.link != null && !t.shared) t.link.link().close();
  }

  /** Whether TCP punching ran at all. */
  boolean started() {
    return started;
  }

  private void forEach(Consumer<Try> action) {
    new ArrayList<>(byTarget.values()).forEach(action);
    new ArrayList<>(inbound).forEach(action);
  }

  private void transition(Try t, State to, String why) {
    State from = t.state;
    t.state = to;
    t.detail = why;
    if (from != to) LOG.fine(() -> "tcp punch " + peerId + " " + Endpoints.format(t.to) + " " + from + " -> " + to + " (" + why + ")");
  }

  private long now() {
    return scheduler.clock().nanoTime();
  }

  /** For {@code p2p.peers}: every connection tried or accepted and what became of it. */
  JsonObject toJson() {
    JsonArray a = new JsonArray();
    forEach(t -> a.add(new JsonObject().put("to", Endpoints.format(t.to)).put("direction", inbound.contains(t) ? "accepted" : "connect")
      .put("shared", t.shared)
      .put("state", t.state.name().toLowerCase(java.util.Locale.ROOT)).put("tries", t.tries).put("detail", t.detail)));
    return new JsonObject().put("tried", started || !inbound.isEmpty()).put("connections", a);
  }
}
