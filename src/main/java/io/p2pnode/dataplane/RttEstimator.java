package io.p2pnode.dataplane;

/**
 * Smoothed round-trip time and variation, RFC 6298 §2 (alpha 1/8, beta 1/4), in nanoseconds.
 */
public final class RttEstimator {
  private long srtt = -1;
  private long rttvar;
  private long latest = -1;

  /** Adds one RTT sample; negative samples are ignored. */
  public void sample(long rttNanos) {
    if (rttNanos < 0) return;
    latest = rttNanos;
    if (srtt < 0) {
      srtt = rttNanos;
      rttvar = rttNanos / 2;
    } else {
      rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
      srtt = (7 * srtt + rttNanos) / 8;
    }
  }

  /** Whether any sample was taken. */
  public boolean hasSample() {
    return srtt >= 0;
  }

  /** Smoothed RTT in ms (fractional), or -1 without samples. */
  public double srttMs() {
    return srtt < 0 ? -1 : srtt / 1e6;
  }

  /** RTT variation in ms (fractional), or -1 without samples. */
  public double rttvarMs() {
    return srtt < 0 ? -1 : rttvar / 1e6;
  }

  /** Smoothed RTT in ns (0 without samples). */
  public long srttNanos() {
    return Math.max(0, srtt);
  }

  /** RTT variation in ns. */
  public long rttvarNanos() {
    return rttvar;
  }

  /** The most recent sample in ns (0 without samples). */
  public long latestNanos() {
    return Math.max(0, latest);
  }

  /** The most recent sample in ms, or -1. */
  public double latestMs() {
    return latest < 0 ? -1 : latest / 1e6;
  }
}
