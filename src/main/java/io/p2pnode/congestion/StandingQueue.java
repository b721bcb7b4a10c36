package io.p2pnode.congestion;

/**
 * Not in the BBR draft: detects a queue that stands at the bottleneck for several rounds in a row and
 * measures the bottleneck's rate over them, so {@link Bbr} can correct a bandwidth estimate that is
 * too high.
 *
 * <p>Why. A delivery-rate sample is the bytes delivered between two ACKs over the time between them
 * as this process saw them. When the process handles an ACK late (a GC pause, a CPU shared with other
 * processes), the samples that start at that ACK cover a shorter time than the bottleneck took, and
 * the max filter keeps the highest of them for two ProbeBW cycles. Pacing above the bottleneck then
 * fills its queue up to the congestion window. Measured in the lab (`bench/lossy.sh ... rttload`): a
 * bandwidth estimate of 14–17 MB/s through a 12.5 MB/s bottleneck, the RTT 2.5–4.6 × the minimum,
 * while Linux TCP BBR on the same path (its ACK times come from the kernel) stayed at 1.1–1.6 ×.
 *
 * <p>What. A round whose smallest RTT sample is more than {@link #QUEUE_FRACTION} above the minimum
 * RTT never saw the queue empty: the bottleneck was busy throughout. After {@link #ROUNDS} such rounds
 * in a row spanning {@link #MIN_SPAN_NANOS} at least, bytes delivered over them divided by their
 * duration is the bottleneck's rate (for this flow's share of it), an average that late ACK handling
 * does not bias: it shortens one interval exactly as much as it lengthens the next. Rounds in which
 * the sender was application limited do not count.
 *
 * <p>Single-threaded; times in nanoseconds of the injected clock.
 */
final class StandingQueue {
  /** RTT above the minimum, as a fraction of it, that counts as a standing queue: 25% keeps the RTT
   * under load well below 1.5 × the minimum while leaving room for jitter of the RTT samples. */
  static final double QUEUE_FRACTION = 0.25;
  /** Rounds in a row with a standing queue before the rate is taken: two spread a late ACK's error
   * over two RTTs or more, and find the queue before it has grown much. */
  static final int ROUNDS = 2;
  /**
   * The shortest span the queue must stand over before its rate is taken, whatever the RTT: 100 ms.
   * On the lab's 20 ms path two rounds are 40 ms, and one 10 ms stall of either process (a GC
   * pause, a CPU shared by three JVMs and the delayer) is a quarter of that: the late ACKs read as a
   * standing queue and the rounds' rate as the bottleneck's. Cut after cut (145 in one 8 s figure)
   * held the estimate at 0.87 of the link and the flow at 0.83-0.86 of Linux TCP BBR; with 100 ms,
   * 0.92 at 0% and at 1% loss in single runs of those cells. 200 ms was tried: 0.91 and 0.87, and RTT
   * under load (20 ms path, 100 ms queue) rose from 1.43 to 1.66 x the minimum, the queue found too late.
   * On the 100 ms path two rounds already span it.
   */
  static final long MIN_SPAN_NANOS = 100_000_000L;

  /** The most one measurement lowers the estimate by: the average still carries some of this process's
   * timing jitter over a short path's few RTTs (cut to the average, the lab lost up to a quarter of its
   * throughput in some runs); a queue that still stands is measured and cut again two rounds later. */
  static final double MAX_CUT = 0.1;

  private long roundMinRtt = Long.MAX_VALUE;
  private boolean roundAppLimited;
  private int rounds;
  private long since = -1;
  private long sinceDelivered;

  /** An ACK of this round: its RTT sample (or -1) and whether its rate sample was application limited. */
  void onAck(long rttNanos, boolean appLimited) {
    if (rttNanos > 0) roundMinRtt = Math.min(roundMinRtt, rttNanos);
    roundAppLimited |= appLimited;
  }

  /**
   * A round ended and the next begins.
   *
   * @param delivered the sampler's bytes delivered so far
   * @param minRtt    the model's minimum RTT, {@link Bbr#UNSET} before a sample
   * @param counts    whether the controller is in a state where a standing queue means an estimate too high (ProbeBW)
   * @return the bottleneck's rate over the last {@link #ROUNDS} rounds in bytes/s when they all kept a
   * standing queue, else -1
   */
  long onRoundStart(long now, long delivered, long minRtt, boolean counts) {
    boolean queued = counts && minRtt != Bbr.UNSET && roundMinRtt != Long.MAX_VALUE && !roundAppLimited
      && roundMinRtt > minRtt * (1 + QUEUE_FRACTION) && since >= 0;
    roundMinRtt = Long.MAX_VALUE;
    roundAppLimited = false;
    long rate = -1;
    if (queued && ++rounds >= ROUNDS && now - since >= MIN_SPAN_NANOS) {
      rate = (long) ((delivered - sinceDelivered) * 1e9 / (now - since));
      queued = false; // the next rounds measure afresh
    }
    if (!queued) {
      rounds = 0;
      since = now;
      sinceDelivered = delivered;
    }
    return rate;
  }

  /** Forgets the rounds counted so far (a new path, the model reset). */
  void reset() {
    roundMinRtt = Long.MAX_VALUE;
    roundAppLimited = false;
    rounds = 0;
    since = -1;
  }
}
