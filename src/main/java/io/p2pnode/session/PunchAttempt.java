package io.p2pnode.session;

import io.p2pnode.transport.RelayEndpoint;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * One attempt to find a path to a peer: paced punches to every candidate; after
 * {@code relayAfter} also through the relay (when one is known); failed at the deadline.
 *
 * <pre>
 * PUNCHING --relayAfter, relay known--> RELAYING
 * PUNCHING | RELAYING --answer--> LOCKED
 * PUNCHING | RELAYING --deadline--> FAILED
 * </pre>
 * Time comes in as arguments; {@link #transition} is the one place that changes state.
 */
final class PunchAttempt {
  private static final Logger LOG = Logger.getLogger("p2p.punch");

  enum State { PUNCHING, RELAYING, LOCKED, FAILED }

  private final String peerId;
  private final long token;
  private final List<Candidate> candidates;
  private final RelayEndpoint relay;
  private final long relayAtNanos;
  private final long deadlineNanos;
  private State state = State.PUNCHING;
  private int rounds;

  /**
   * @param relay where to punch through after {@code relayAfterMs}, or {@code null} for direct only
   */
  PunchAttempt(String peerId, long token, List<Candidate> candidates, RelayEndpoint relay, long nowNanos,
               long relayAfterMs, long timeoutMs) {
    this.peerId = peerId;
    this.token = token;
    this.candidates = candidates;
    this.relay = relay;
    this.relayAtNanos = nowNanos + relayAfterMs * 1_000_000L;
    this.deadlineNanos = nowNanos + timeoutMs * 1_000_000L;
  }

  /** The addresses to punch this round; moves to RELAYING or FAILED as time passes. */
  List<InetSocketAddress> round(long nowNanos) {
    if (state == State.LOCKED || state == State.FAILED) return List.of();
    if (nowNanos - deadlineNanos >= 0) {
      transition(State.FAILED);
      return List.of();
    }
    if (state == State.PUNCHING && relay != null && nowNanos - relayAtNanos >= 0) transition(State.RELAYING);
    rounds++;
    List<InetSocketAddress> out = new ArrayList<>(candidates.size() + 1);
    candidates.forEach(c -> out.add(c.address()));
    if (state == State.RELAYING) out.add(relay);
    return out;
  }

  /** A candidate answered. */
  void locked() {
    if (state == State.PUNCHING || state == State.RELAYING) transition(State.LOCKED);
  }

  /** Stops the attempt without a result (session closing). */
  void abandon() {
    if (state == State.PUNCHING || state == State.RELAYING) transition(State.FAILED);
  }

  private void transition(State to) {
    State from = state;
    state = to;
    LOG.fine(() -> "punch " + peerId + " " + from + " -> " + to + " after " + rounds + " rounds");
  }

  State state() {
    return state;
  }

  boolean active() {
    return state == State.PUNCHING || state == State.RELAYING;
  }

  long token() {
    return token;
  }

  List<Candidate> candidates() {
    return candidates;
  }

  RelayEndpoint relay() {
    return relay;
  }
}
