package io.p2pnode.transport;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@link BusyPollStrategy} on a manual clock: when a loop polls, when it blocks, what counts as work, when it rests. */
class BusyPollStrategyTest {
  private static final long SPIN = 50_000;
  private long now = 1_000_000;
  private int ready;
  private int polls;
  private final BusyPollStrategy s = new BusyPollStrategy(SPIN, () -> now);

  private int step(long at, int readyNow, boolean hasTasks) throws Exception {
    now = at;
    ready = readyNow;
    return s.calculateStrategy(() -> {
      polls++;
      return ready;
    }, hasTasks);
  }

  @Test
  void pollsForTheSpinAfterItsLastWorkThenBlocks() throws Exception {
    long t0 = now;
    // at, datagrams ready, tasks queued -> what the loop does, state after
    Object[][] table = {
      {t0 + 10_000, 2, false, 2, BusyPollStrategy.State.POLLING}, // work: handle 2, window from here
      {t0 + 30_000, 0, false, 0, BusyPollStrategy.State.POLLING}, // 20 µs idle: poll again
      {t0 + 59_999, 0, false, 0, BusyPollStrategy.State.POLLING}, // just inside 50 µs
      {t0 + 60_000, 0, false, SelectStrategy.SELECT, BusyPollStrategy.State.BLOCKED}, // 50 µs idle: block
      {t0 + 5_000_000, 0, false, 0, BusyPollStrategy.State.POLLING}, // woke (timer, task, datagram): poll again
      {t0 + 5_040_000, 0, true, 0, BusyPollStrategy.State.POLLING}, // a task queued: work, window from here
      {t0 + 5_089_999, 0, false, 0, BusyPollStrategy.State.POLLING},
      {t0 + 5_090_000, 0, false, SelectStrategy.SELECT, BusyPollStrategy.State.BLOCKED},
    };
    for (Object[] row : table) {
      int got = step((long) row[0], (int) row[1], (boolean) row[2]);
      assertEquals((int) row[3], got, "at +" + ((long) row[0] - t0) + " ns");
      assertEquals(row[4], s.state(), "at +" + ((long) row[0] - t0) + " ns");
    }
    assertEquals(table.length, polls, "every turn asks epoll without blocking first");
  }

  /** From a wake-up at {@code now}: one datagram, a poll inside the spin, then the spin runs out. */
  private int spinOut(long wokeAt) throws Exception {
    step(wokeAt, 1, false);
    assertEquals(0, step(wokeAt + SPIN / 2, 0, false), "polls inside the spin");
    return step(wokeAt + SPIN, 0, false);
  }

  @Test
  void restsAfterSpinsThatCatchNothingAndPollsAgainWhenWorkComesSoon() throws Exception {
    // a request every millisecond: each spin after it catches nothing
    for (int i = 0; i < BusyPollStrategy.MISSES_TO_REST; i++) {
      assertFalse(s.resting(), "after " + i + " fruitless spins");
      assertEquals(SelectStrategy.SELECT, spinOut(now + 1_000_000));
    }
    assertTrue(s.resting(), BusyPollStrategy.MISSES_TO_REST + " fruitless spins in a row: polling does not pay");
    long t = now + 1_000_000;
    assertEquals(1, step(t, 1, false), "woken with work, handles it");
    assertEquals(SelectStrategy.SELECT, step(t + 1_000, 0, false), "resting: blocks as soon as the work is done");
    assertEquals(BusyPollStrategy.State.BLOCKED, s.state());
    int pollsBefore = polls;
    // woken 90 µs after the last work (less than two spins): a spin would have caught it
    assertEquals(1, step(t + 1_000 + 90_000, 1, false));
    assertFalse(s.resting(), "work came within two spins of the last: polls again");
    assertEquals(0, step(t + 1_000 + 100_000, 0, false), "polls after work again");
    assertEquals(pollsBefore + 2, polls);
  }

  @Test
  void workASpinCatchesClearsTheMisses() throws Exception {
    for (int i = 0; i < BusyPollStrategy.MISSES_TO_REST - 1; i++) {
      spinOut(now + 1_000_000);
    }
    long t = now + 1_000_000;
    step(t, 1, false);
    assertEquals(0, step(t + 10_000, 0, false));
    assertEquals(2, step(t + 20_000, 2, false), "the spin catches the next datagrams");
    assertEquals(0, step(t + 20_000 + SPIN / 2, 0, false));
    assertEquals(SelectStrategy.SELECT, step(t + 20_000 + SPIN, 0, false), "a miss, the first one again");
    assertFalse(s.resting(), "one miss after a spin that paid off");
    for (int i = 0; i < BusyPollStrategy.MISSES_TO_REST - 1; i++) {
      spinOut(now + 1_000_000);
    }
    assertTrue(s.resting(), "then " + BusyPollStrategy.MISSES_TO_REST + " in a row");
  }

  @Test
  void aRestingLoopWokenLongAfterItsWorkKeepsResting() throws Exception {
    for (int i = 0; i < BusyPollStrategy.MISSES_TO_REST; i++) {
      spinOut(now + 1_000_000);
    }
    long t = now + 1_000_000;
    step(t, 1, false);
    assertEquals(SelectStrategy.SELECT, step(t, 0, false));
    assertEquals(1, step(t + 2 * SPIN, 1, false), "woken two spins after its work");
    assertTrue(s.resting(), "a spin would not have caught it");
    assertEquals(SelectStrategy.SELECT, step(t + 2 * SPIN + 1, 0, false));
  }

  @Test
  void aFreshLoopPollsForOneSpinThenBlocks() throws Exception {
    long t0 = now;
    assertEquals(0, step(t0 + SPIN - 1, 0, false));
    assertEquals(SelectStrategy.SELECT, step(t0 + SPIN, 0, false));
  }

  @Test
  void refusesANonPositiveSpin() {
    assertThrows(IllegalArgumentException.class, () -> new BusyPollStrategy(0, () -> 0));
    assertThrows(IllegalArgumentException.class, () -> BusyPollStrategy.epollHandlers(0));
    assertThrows(IllegalArgumentException.class, () -> BusyPollTransport.epoll(0));
    assertThrows(IllegalArgumentException.class, () -> BusyPollTransport.epoll(BusyPollTransport.MAX_MICROS + 1));
  }
}
