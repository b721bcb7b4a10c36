package io.p2pnode.congestion;

import java.util.ArrayDeque;
import java.util.Random;

/**
 * A path with one bottleneck, for controller tests: packets queue (finite, tail drop) in front of a
 * link of a given rate, then travel a fixed one-way delay; optional random loss before the queue and
 * an optional policer (token bucket that drops what exceeds its rate) instead of a queue.
 * Times in ns; the caller moves time forward with {@link #deliverUntil}.
 */
final class Bottleneck {
  record Packet(long pn, int bytes, long sentAt) {
  }

  private record InFlight(Packet p, long arrivesAt) {
  }

  private final Random random;
  private final ArrayDeque<InFlight> wire = new ArrayDeque<>();
  long rateBytesPerSec;
  long queueLimitBytes;
  long oneWayDelayNanos;
  double loss;
  /** When &gt; 0: a policer of this rate (bytes/s) and bucket instead of the queue. */
  long policerRate;
  long policerBucket;
  private double policerTokens;
  private long policerLast;
  private long linkFreeAt;
  private long queuedBytes;
  private final ArrayDeque<long[]> queueExits = new ArrayDeque<>(); // (exit time, bytes)
  long dropped;
  long randomlyLost;
  /**
   * When &gt; 0: arrivals are handed on in clumps, at release times spaced at random by up to this
   * long (a receiver that gets the CPU in slices, or a link that aggregates, as a starved lab path
   * does): ACKs come in irregular bursts and delivery-rate samples scatter around the link rate.
   */
  long burstMaxGapNanos;
  private long nextRelease;

  Bottleneck(long rateBytesPerSec, long queueLimitBytes, long oneWayDelayNanos, long seed) {
    this.rateBytesPerSec = rateBytesPerSec;
    this.queueLimitBytes = queueLimitBytes;
    this.oneWayDelayNanos = oneWayDelayNanos;
    this.random = new Random(seed);
  }

  /** Bytes waiting in the queue at {@code now}. */
  long queued(long now) {
    while (!queueExits.isEmpty() && queueExits.peek()[0] <= now) queuedBytes -= queueExits.poll()[1];
    return queuedBytes;
  }

  void send(Packet p, long now) {
    if (loss > 0 && random.nextDouble() < loss) {
      randomlyLost++;
      return;
    }
    if (policerRate > 0) {
      policerTokens = Math.min(policerBucket, policerTokens + (now - policerLast) * (policerRate / 1e9));
      policerLast = now;
      if (policerTokens < p.bytes()) {
        dropped++;
        return;
      }
      policerTokens -= p.bytes();
    }
    if (queued(now) + p.bytes() > queueLimitBytes) {
      dropped++;
      return;
    }
    long start = Math.max(now, linkFreeAt);
    linkFreeAt = start + (long) (p.bytes() * 1e9 / rateBytesPerSec);
    queuedBytes += p.bytes();
    queueExits.add(new long[] {linkFreeAt, p.bytes()});
    long arrives = linkFreeAt + oneWayDelayNanos;
    if (burstMaxGapNanos > 0) {
      while (nextRelease < arrives) nextRelease += 1 + (long) (random.nextDouble() * burstMaxGapNanos);
      arrives = nextRelease;
    }
    wire.add(new InFlight(p, arrives));
  }

  /** Hands every packet that arrived by {@code now} to {@code sink}, in order. */
  void deliverUntil(long now, java.util.function.Consumer<Packet> sink) {
    while (!wire.isEmpty() && wire.peek().arrivesAt() <= now) sink.accept(wire.poll().p());
  }
}
