package io.p2pnode.punch;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-peer relay budget at a coordinator: a token bucket of {@code rateBytesPerSec} (one second
 * of burst) and a total of {@code maxBytes} per peer. Confined to the coordinator's thread.
 */
public final class RelayLimiter {
  private final long rate;
  private final long maxBytes;
  private final Map<String, Budget> budgets = new HashMap<>();

  private static final class Budget {
    double tokens;
    long lastMs;
    long total;
  }

  public RelayLimiter(long rateBytesPerSec, long maxBytes) {
    this.rate = rateBytesPerSec;
    this.maxBytes = maxBytes;
  }

  /** Whether {@code peerId} may relay {@code bytes} now; charges the budget when it may. */
  public boolean allow(String peerId, int bytes, long nowMs) {
    Budget b = budgets.computeIfAbsent(peerId, k -> {
      Budget n = new Budget();
      n.tokens = rate;
      n.lastMs = nowMs;
      return n;
    });
    b.tokens = Math.min(rate, b.tokens + (nowMs - b.lastMs) * rate / 1000.0);
    b.lastMs = nowMs;
    if (b.total + bytes > maxBytes || b.tokens < bytes) return false;
    b.tokens -= bytes;
    b.total += bytes;
    return true;
  }

  /** Forgets a peer (its registration expired or it left). */
  public void forget(String peerId) {
    budgets.remove(peerId);
  }

  /** Bytes relayed for {@code peerId} so far. */
  public long total(String peerId) {
    Budget b = budgets.get(peerId);
    return b == null ? 0 : b.total;
  }
}
