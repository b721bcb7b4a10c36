package io.p2pnode.time;

import java.util.Map;
import java.util.TreeMap;

/** A {@link Scheduler} on a manual clock: {@link #advance} moves time and fires due timers in order. */
public final class ManualScheduler implements Scheduler {
  private long nanos = 1_000_000_000L;
  private long nextId = 1;
  private final TreeMap<Long, Map.Entry<Long, Runnable>> timers = new TreeMap<>(); // key: id; value: (due, task)

  @Override
  public long schedule(long delayMs, Runnable task) {
    long id = nextId++;
    timers.put(id, Map.entry(nanos + Math.max(1, delayMs) * 1_000_000L, task));
    return id;
  }

  /** Runs at the current time, after what is already due (the next {@link #advance}). */
  @Override
  public void runSoon(Runnable task) {
    long id = nextId++;
    timers.put(id, Map.entry(nanos, task));
  }

  @Override
  public void cancel(long id) {
    timers.remove(id);
  }

  @Override
  public Clock clock() {
    return () -> nanos;
  }

  /** Timers not yet fired. */
  public int pending() {
    return timers.size();
  }

  /** Moves the clock forward by {@code ms}, firing every timer that falls due, earliest first. */
  public void advance(long ms) {
    long end = nanos + ms * 1_000_000L;
    while (true) {
      Map.Entry<Long, Map.Entry<Long, Runnable>> next = null;
      for (Map.Entry<Long, Map.Entry<Long, Runnable>> e : timers.entrySet()) {
        if (e.getValue().getKey() <= end && (next == null || e.getValue().getKey() < next.getValue().getKey())) next = e;
      }
      if (next == null) break;
      // read the entry before removing it: TreeMap reuses a removed node for its successor
      long id = next.getKey();
      long due = next.getValue().getKey();
      Runnable task = next.getValue().getValue();
      timers.remove(id);
      nanos = Math.max(nanos, due);
      task.run();
    }
    nanos = end;
  }
}
