package io.p2pnode.congestion;

import io.p2pnode.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-session pacer and the per-loop pacing timer on a manual clock. */
class PacerTest {
  static final long RATE = 1_000_000; // 1 MB/s: 1000 bytes per ms
  static final long QUANTUM = 1_000;

  @Test
  void aQuantumLeavesAtOnceThenTheRateHolds() {
    Pacer p = new Pacer();
    long t = 0;
    assertTrue(p.canSend(t, RATE, QUANTUM));
    p.onSent(1_000, RATE);
    assertFalse(p.canSend(t, RATE, QUANTUM));
    assertEquals(1_000_000, p.nextSendTime(t, RATE, QUANTUM) - t); // a quantum accrues in 1 ms
    assertTrue(p.canSend(t + 1_000_000, RATE, QUANTUM));
  }

  @Test
  void noRateMeansNoPacing() {
    Pacer p = new Pacer();
    for (int i = 0; i < 100; i++) {
      assertTrue(p.canSend(0, 0, QUANTUM));
      p.onSent(1_200, 0);
    }
  }

  @Test
  void aLateWakeUpIsCreditedUpToTwoQuanta() {
    Pacer p = new Pacer();
    long t = 0;
    assertTrue(p.canSend(t, RATE, QUANTUM));
    p.onSent(1_000, RATE);
    t += 5_000_000; // woke 5 ms later instead of 1
    int sent = 0;
    while (p.canSend(t, RATE, QUANTUM)) {
      p.onSent(500, RATE);
      sent += 500;
    }
    assertEquals(2_000, sent); // the bucket holds two quanta: the late wake-up is credited, not a 5 ms burst
  }

  @Test
  void timeLostToLateWakeUpsIsPaidBack() {
    Pacer p = new Pacer();
    long sent = 0;
    long t = 0;
    int wakes = 0;
    while (t < 1_000_000_000L) {
      while (p.canSend(t, RATE, QUANTUM)) {
        p.onSent(1_200, RATE);
        sent += 1_200;
      }
      long due = p.nextSendTime(t, RATE, QUANTUM);
      t = due + (++wakes % 10 == 0 ? 8_000_000 : 0); // every tenth wake-up 8 ms late: beyond the bucket
    }
    assertTrue(sent > 0.95 * RATE, "sent " + sent); // without the credit: about 0.5 of the rate
  }

  /** A GC pause or a descheduled process: 60 ms without a wake-up is not paid back at twice the rate. */
  @Test
  void aLongStallIsNotPaidBackAsABurst() {
    Pacer p = new Pacer();
    long t = 0;
    while (t < 100_000_000L) { // 100 ms at the rate
      while (p.canSend(t, RATE, QUANTUM)) p.onSent(1_200, RATE);
      t = p.nextSendTime(t, RATE, QUANTUM);
    }
    t += 60_000_000L; // the wake-up comes 60 ms late
    long sent = 0;
    long end = t + 60_000_000L;
    while (t < end) {
      while (p.canSend(t, RATE, QUANTUM)) {
        p.onSent(1_200, RATE);
        sent += 1_200;
      }
      t = p.nextSendTime(t, RATE, QUANTUM);
    }
    // 60 ms at the rate, plus the bucket and at most MAX_OWED_BUCKETS of it owed (was up to 100 buckets)
    long bucket = 2 * QUANTUM;
    assertTrue(sent <= RATE * 60 / 1000 + (1 + Pacer.MAX_OWED_BUCKETS) * bucket + 1_200, "sent " + sent);
    assertTrue(sent >= RATE * 60 / 1000, "sent " + sent);
  }

  @Test
  void sustainedRateMatchesThePacingRateOverTime() {
    Pacer p = new Pacer();
    long sent = 0;
    for (long t = 0; t < 1_000_000_000L; t += 1_300_000) { // an irregular 1.3 ms tick
      while (p.canSend(t, RATE, QUANTUM)) {
        p.onSent(1_200, RATE);
        sent += 1_200;
      }
    }
    assertTrue(Math.abs(sent - RATE) < 5_000, "sent " + sent);
  }

  @Test
  void oneTimerServesEverySessionOfTheLoop() {
    ManualScheduler clock = new ManualScheduler();
    PacingTimer timer = PacingTimer.forCurrentLoop(clock);
    assertEquals(timer, PacingTimer.forCurrentLoop(clock));
    List<String> ran = new ArrayList<>();
    long now = clock.clock().nanoTime();
    timer.wakeAt(now + 1_500_000, () -> ran.add("a"));
    timer.wakeAt(now + 1_000_000, () -> ran.add("b"));
    timer.wakeAt(now + 5_000_000, () -> ran.add("c"));
    assertEquals(1, clock.pending());
    clock.advance(2);
    assertEquals(List.of("a", "b"), ran);
    assertEquals(1, clock.pending());
    clock.advance(3);
    assertEquals(List.of("a", "b", "c"), ran);
    assertEquals(0, timer.waiting());
  }
}
