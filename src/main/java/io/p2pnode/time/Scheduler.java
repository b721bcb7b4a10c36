package io.p2pnode.time;

import io.vertx.core.Vertx;

/**
 * Timers, injected so logic never calls {@code vertx.setTimer} directly and tests can fire them
 * from a manual clock.
 */
public interface Scheduler {
  /** Runs {@code task} once after {@code delayMs}; returns an id for {@link #cancel}. */
  long schedule(long delayMs, Runnable task);

  /** Cancels a timer; unknown or fired ids are ignored. */
  void cancel(long id);

  /** The clock timers are measured against. */
  Clock clock();

  /**
   * Runs {@code task} after the work already queued on this thread's loop: what a burst of
   * events asks for in the meantime (several sends) is done once, together.
   */
  void runSoon(Runnable task);

  /** Timers on a Vert.x instance: each fires on the context that scheduled it. */
  static Scheduler of(Vertx vertx) {
    return new Scheduler() {
      public long schedule(long delayMs, Runnable task) {
        return vertx.setTimer(Math.max(1, delayMs), id -> task.run());
      }

      public void cancel(long id) {
        vertx.cancelTimer(id);
      }

      public Clock clock() {
        return Clock.SYSTEM;
      }

      public void runSoon(Runnable task) {
        vertx.runOnContext(v -> task.run());
      }
    };
  }

  /**
   * Timers on a Netty event loop itself, not tied to any Vert.x context (they outlive the verticle
   * that set them); tasks run on the loop's thread. For node-wide timers shared by sessions.
   */
  static Scheduler of(io.netty.channel.EventLoop loop) {
    return new Scheduler() {
      private final java.util.Map<Long, io.netty.util.concurrent.ScheduledFuture<?>> timers = new java.util.HashMap<>();
      private long nextId;

      public long schedule(long delayMs, Runnable task) {
        long id = nextId++;
        timers.put(id, loop.schedule(() -> {
          timers.remove(id);
          task.run();
        }, Math.max(1, delayMs), java.util.concurrent.TimeUnit.MILLISECONDS));
        return id;
      }

      public void cancel(long id) {
        io.netty.util.concurrent.ScheduledFuture<?> f = timers.remove(id);
        if (f != null) f.cancel(false);
      }

      public Clock clock() {
        return Clock.SYSTEM;
      }

      public void runSoon(Runnable task) {
        loop.execute(task);
      }
    };
  }
}
