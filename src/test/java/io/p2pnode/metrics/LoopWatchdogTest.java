package io.p2pnode.metrics;

import io.p2pnode.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopWatchdogTest {
  /** An event loop the test runs by hand: tasks wait until {@link #runAll}. */
  static final class HandLoop implements Executor {
    final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    public void execute(Runnable r) {
      queue.add(r);
    }

    void runAll() {
      while (!queue.isEmpty()) queue.poll().run();
    }
  }

  @Test
  void aLoopThatKeepsUpIsNotBlockedAndItsLagIsMeasured() {
    ManualScheduler clock = new ManualScheduler();
    HandLoop a = new HandLoop();
    HandLoop b = new HandLoop();
    LoopWatchdog w = new LoopWatchdog(List.of(a, b), clock, 100, 2_000);
    w.start();
    assertEquals(1, a.queue.size(), "one probe queued per loop");
    clock.advance(30);
    a.runAll();
    b.runAll();
    assertEquals(30, w.maxLagMs());
    assertFalse(w.blocked());
    clock.advance(70); // the next tick (at 100 ms) queues new probes
    a.runAll();
    b.runAll();
    assertEquals(0, w.maxLagMs(), "the last probes ran at once");
    assertEquals(false, w.toJson().getBoolean("blocked"));
    assertEquals(2, w.toJson().getInteger("loops"));
  }

  @Test
  void aLoopThatRunsNothingForTheThresholdIsBlockedThenRecovers() {
    ManualScheduler clock = new ManualScheduler();
    HandLoop ok = new HandLoop();
    HandLoop stuck = new HandLoop();
    LoopWatchdog w = new LoopWatchdog(List.of(ok, stuck), clock, 100, 2_000);
    w.start();
    for (int i = 0; i < 19; i++) {
      clock.advance(100);
      ok.runAll();
    }
    assertEquals(1, stuck.queue.size(), "no second probe while the first waits");
    assertEquals(1_900, w.maxLagMs());
    assertFalse(w.blocked());
    clock.advance(100);
    ok.runAll();
    assertTrue(w.blocked());
    assertEquals(true, w.toJson().getBoolean("blocked"));
    assertEquals(2_000L, w.toJson().getLong("maxLagMs"));
    stuck.runAll(); // the loop is free again
    assertTrue(w.blocked(), "its last probe waited 2 s: still reported until the next probe");
    clock.advance(100);
    stuck.runAll();
    ok.runAll();
    assertFalse(w.blocked());
    assertEquals(0, w.maxLagMs());
  }

  @Test
  void theTickingLoopBlockedIsSeenFromOutside() {
    ManualScheduler frozen = new ManualScheduler();
    HandLoop loop = new HandLoop();
    // the timer's loop stops: no tick fires, no probe is outstanding, but the overdue tick is seen
    LoopWatchdog stalled = new LoopWatchdog(List.of(loop), new NoTimers(frozen), 100, 2_000);
    stalled.start();
    loop.runAll();
    frozen.advance(2_100);
    assertEquals(2_000, stalled.maxLagMs());
    assertTrue(stalled.blocked());
  }

  @Test
  void stoppedWatchdogQueuesNothingMore() {
    ManualScheduler clock = new ManualScheduler();
    HandLoop loop = new HandLoop();
    LoopWatchdog w = new LoopWatchdog(List.of(loop), clock, 100, 2_000);
    w.start();
    loop.runAll();
    w.stop();
    clock.advance(1_000);
    assertTrue(loop.queue.isEmpty());
    assertEquals(0, clock.pending());
  }

  /** The clock of {@code clock} but timers that never fire: the ticking loop is stuck. */
  private record NoTimers(ManualScheduler clock0) implements io.p2pnode.time.Scheduler {
    public long schedule(long delayMs, Runnable task) { return 1; }
    public void cancel(long id) { }
    public io.p2pnode.time.Clock clock() { return clock0.clock(); }
    public void runSoon(Runnable task) { }
  }
}
