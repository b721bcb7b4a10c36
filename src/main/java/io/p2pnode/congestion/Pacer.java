package io.p2pnode.congestion;

/**
 * Spaces one session's datagrams at the controller's pacing rate: a token bucket that fills at the
 * rate and holds two send quanta (a quantum is about 1 ms of data), so a wake-up that comes late
 * is credited back by the tokens that accrued meanwhile, and a burst is at most what the bucket
 * holds. Pure; times in ns of the injected clock.
 */
public final class Pacer {
  private double tokens;
  private long last = Long.MIN_VALUE;
  private long waits;

  /** Whether a datagram may leave now; {@code rate} 0 means no pacing. */
  public boolean canSend(long now, long rate, long quantum) {
    if (rate <= 0) return true;
    refill(now, rate, quantum);
    return tokens > 0;
  }

  /** A datagram left (it may take the bucket below zero: the next ones wait for it). */
  public void onSent(int bytes, long rate) {
    if (rate > 0) tokens -= bytes;
  }

  /** When a full quantum will be available again (call after {@link #canSend} said no). */
  public long nextSendTime(long now, long rate, long quantum) {
    waits++;
    double need = Math.min(quantum, capacity(quantum)) - tokens;
    return now + Math.max(1, (long) (need * 1e9 / rate));
  }

  /** Times the sender waited for the pacer. */
  public long waits() {
    return waits;
  }

  private void refill(long now, long rate, long quantum) {
    if (last == Long.MIN_VALUE) {
      tokens = quantum; // a new flow may send one quantum at once
    } else if (now > last) {
      tokens = Math.min(capacity(quantum), tokens + (now - last) * (rate / 1e9));
    }
    last = now;
  }

  private static double capacity(long quantum) {
    return 2.0 * quantum;
  }
}
