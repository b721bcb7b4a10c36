package io.p2pnode.transport;

import io.p2pnode.time.Clock;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per source IP for control frames (registrations, handshakes, STUN): one source
 * cannot make a node spend more than {@code ratePerSec} (burst: twice that) on it, whatever it
 * sends. Used by every listener's event loop at once. The table is bounded: when full, idle
 * sources (bucket full again) are swept; if it is still full, a new source is let through
 * untracked rather than refused (a flood from spoofed addresses must not lock out real peers,
 * and registrations are stateless-cookie protected anyway).
 */
public final class SourceRateLimiter {
  /** Sources tracked at most (about 100 bytes each). */
  public static final int DEFAULT_MAX_SOURCES = 65_536;

  private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
  private final double ratePerNano;
  private final double burst;
  private final int maxSources;
  private final Clock clock;

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  /** @param ratePerSec frames per second per source; 0 disables the limit */
  public SourceRateLimiter(long ratePerSec, int maxSources, Clock clock) {
    this.ratePerNano = ratePerSec / 1e9;
    this.burst = 2.0 * ratePerSec;
    this.maxSources = maxSources;
    this.clock = clock;
  }

  /** Whether one more control frame from {@code source} may be handled now (takes a token). */
  public boolean allow(InetAddress source) {
    if (ratePerNano == 0) return true;
    long now = clock.nanoTime();
    Bucket b = buckets.get(source);
    if (b == null) {
      if (buckets.size() >= maxSources && !sweep(now)) return true;
      b = buckets.computeIfAbsent(source, k -> new Bucket(burst, now));
    }
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerNano);
      b.last = now;
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    }
  }

  /** Drops buckets that have refilled (idle sources); whether there is room now. */
  private boolean sweep(long now) {
    buckets.entrySet().removeIf(e -> {
      Bucket b = e.getValue();
      synchronized (b) {
        return b.tokens + (now - b.last) * ratePerNano >= burst;
      }
    });
    return buckets.size() < maxSources;
  }

  /** Sources tracked now. */
  public int size() {
    return buckets.size();
  }
}
