package io.p2pnode.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link StandingQueue} driven round by round on a manual clock: min RTT 20 ms, rounds of 100 ms unless a test says otherwise. */
class StandingQueueTest {
  static final long MS = 1_000_000L;
  static final long MIN_RTT = 20 * MS;

  private final StandingQueue q = new StandingQueue();
  private long now;
  private long delivered;
  private long roundMs = 100;

  /** One round of {@link #roundMs} delivering {@code bytes}, with these RTT samples; returns what its end reports. */
  private long round(long bytes, boolean appLimited, long... rttMs) {
    for (long r : rttMs) q.onAck(r * MS, appLimited);
    now += roundMs * MS;
    delivered += bytes;
    return q.onRoundStart(now, delivered, MIN_RTT, true);
  }

  @Test
  void twoRoundsWithAStandingQueueGiveTheirAverageRate() {
    q.onRoundStart(now, delivered, MIN_RTT, true); // the first round begins
    assertEquals(-1, round(400_000, false, 30, 32, 28));
    // 400 000 + 600 000 bytes over 200 ms: 5 MB/s, however unevenly the two rounds saw them
    assertEquals(5_000_000, round(600_000, false, 27, 40));
    assertEquals(-1, round(500_000, false, 30), "the next rounds measure afresh");
  }

  @Test
  void oneRttSampleNearTheMinimumMeansTheQueueEmptied() {
    q.onRoundStart(now, delivered, MIN_RTT, true);
    assertEquals(-1, round(500_000, false, 30, 24)); // 24 ms: under 1.25 x 20 ms
    assertEquals(-1, round(500_000, false, 30));
    assertEquals(5_000_000, round(500_000, false, 30));
  }

  @Test
  void applicationLimitedRoundsRoundsWithoutSamplesAndOtherStatesDoNotCount() {
    q.onRoundStart(now, delivered, MIN_RTT, true);
    assertEquals(-1, round(500_000, true, 30));
    assertEquals(-1, round(500_000, false, 30));
    assertEquals(-1, round(500_000, false)); // no RTT sample
    assertEquals(-1, round(500_000, false, 30));
    q.onAck(30 * MS, false);
    now += roundMs * MS;
    delivered += 500_000;
    assertEquals(-1, q.onRoundStart(now, delivered, MIN_RTT, false)); // not in ProbeBW
    assertEquals(-1, round(500_000, false, 30));
    assertEquals(5_000_000, round(500_000, false, 30));
  }

  @Test
  void nothingBeforeAMinRttOrAfterAReset() {
    q.onAck(30 * MS, false);
    assertEquals(-1, q.onRoundStart(now += roundMs * MS, delivered += 500_000, Bbr.UNSET, true));
    assertEquals(-1, round(500_000, false, 30));
    q.reset();
    assertEquals(-1, round(500_000, false, 30)); // the first round after a reset only starts the count
    assertEquals(-1, round(500_000, false, 30));
    assertEquals(5_000_000, round(500_000, false, 30));
  }

  /** On a short path two rounds are too short to judge: the queue must stand for 100 ms, three rounds of 40 ms here. */
  @Test
  void onAShortPathTheQueueMustStandForAHundredMilliseconds() {
    roundMs = 40;
    q.onRoundStart(now, delivered, MIN_RTT, true);
    assertEquals(-1, round(500_000, false, 30));
    assertEquals(-1, round(500_000, false, 30), "two rounds: 80 ms");
    assertEquals(12_500_000, round(500_000, false, 30)); // 1.5 MB over 120 ms
  }
}
