package io.p2pnode.punch;

import io.p2pnode.time.Clock;

/**
 * The node-wide budget of birthday probing: the pace of probes ({@code punch.birthdayRate} per
 * second, all sessions together; a token bucket holding at most a tenth of a second of them) and
 * the hard side's sockets open at once (at most {@link #CONCURRENT_TRIES} tries' worth, so many
 * sessions introduced together cannot exhaust file descriptors). Any thread.
 */
public final class ProbeBudget {
  private final int ratePerSec;
  private final Clock clock;
  private final double capacity;
  private double tokens;
  private long lastNanos;
  private long granted;
  /** Hard-side tries of this many sessions may hold their sockets at once. */
  public static final int CONCURRENT_TRIES = 4;
  private final int maxSockets;
  private int socketsHeld;

  public ProbeBudget(int ratePerSec, Clock clock) {
    this(ratePerSec, io.p2pnode.config.PunchOptions.DEFAULT_HARD_SOCKETS * CONCURRENT_TRIES, clock);
  }

  /** @param maxSockets hard-side sockets the node's tries may hold at once */
  public ProbeBudget(int ratePerSec, int maxSockets, Clock clock) {
    this.maxSockets = maxSockets;
    this.ratePerSec = ratePerSec;
    this.clock = clock;
    this.capacity = Math.max(1, ratePerSec / 10.0);
    this.tokens = capacity;
    this.lastNanos = clock.nanoTime();
  }

  /** Takes up to {@code wanted} probes' worth; returns how many may go now. */
  public synchronized int take(int wanted) {
    long now = clock.nanoTime();
    tokens = Math.min(capacity, tokens + (now - lastNanos) / 1e9 * ratePerSec);
    lastNanos = now;
    int n = (int) Math.min(wanted, Math.floor(tokens));
    if (n <= 0) return 0;
    tokens -= n;
    granted += n;
    return n;
  }

  /** Reserves all {@code wanted} sockets for a hard-side try, or none (returns false) when the node holds too many. */
  public synchronized boolean reserveSockets(int wanted) {
    if (socketsHeld + wanted > maxSockets) return false;
    socketsHeld += wanted;
    return true;
  }

  /** Gives back sockets a try reserved. */
  public synchronized void releaseSockets(int n) {
    socketsHeld = Math.max(0, socketsHeld - n);
  }

  /** Sockets reserved now. */
  public synchronized int socketsHeld() {
    return socketsHeld;
  }

  /** Probes granted so far. */
  public synchronized long granted() {
    return granted;
  }

  public int ratePerSec() {
    return ratePerSec;
  }
}
