package io.p2pnode.transport;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** {@link BusyPollStrategy} on a manual clock: when a loop polls, when it blocks, what counts as work. */
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
