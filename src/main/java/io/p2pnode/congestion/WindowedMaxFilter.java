package io.p2pnode.congestion;

/**
 * Kathleen Nichols' windowed max filter as used by BBR (Linux {@code win_minmax.c}, ngtcp2 {@code ngtcp2_wf.c}):
 * the best (largest) value seen within the last {@code window} time units, kept with three samples.
 * Time is whatever the caller counts in (rounds, cycles).
 */
final class WindowedMaxFilter {
  private final long[] value = new long[3];
  private final long[] time = new long[3];
  private long window;

  WindowedMaxFilter(long window) {
    this.window = window;
  }

  void setWindow(long window) {
    this.window = window;
  }

  /** The best value in the window (0 before any sample). */
  long best() {
    return value[0];
  }

  void reset(long v, long t) {
    for (int i = 0; i < 3; i++) {
      value[i] = v;
      time[i] = t;
    }
  }

  void update(long v, long t) {
    if (value[0] <= v || t - time[2] > window) {
      reset(v, t);
      return;
    }
    if (value[1] <= v) {
      set(1, v, t);
      set(2, v, t);
    } else if (value[2] <= v) {
      set(2, v, t);
    }
    if (t - time[1] > window) {
      set(0, value[2], time[2]);
      set(1, v, t);
      set(2, v, t);
      return;
    }
    if (t - time[0] > window) {
      set(0, value[1], time[1]);
      set(1, value[2], time[2]);
      set(2, v, t);
      return;
    }
    if (value[0] == value[1] && t - time[0] > window / 4) {
      set(1, v, t);
      set(2, v, t);
      return;
    }
    if (value[1] == value[2] && t - time[0] > window / 2) set(2, v, t);
  }

  private void set(int i, long v, long t) {
    value[i] = v;
    time[i] = t;
  }
}
