package io.p2pnode.punch;

import io.p2pnode.time.Clock;

/**
 * The node-wide pace of birthday probes ({@code punch.birthdayRate} per second, all sessions
 * together): a token bucket holding at most a tenth of a second of probes. Any thread.
 */
public final class ProbeBudget {
  private final int ratePerSec;
  private final Clock clock;
  private final double capacity;
  private double tokens;
  private long lastNanos;
  private long granted;

  public ProbeBudget(int ratePerSec, Clock clock) {
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

  /** Probes granted so far. */
  public synchronized long granted() {
    return granted;
  }

  public int ratePerSec() {
    return ratePerSec;
  }
}
