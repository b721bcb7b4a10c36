package io.p2pnode.congestion;

import io.netty.channel.EventLoop;
import io.p2pnode.time.Clock;
import io.p2pnode.time.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One pacing timer per event loop: the sessions of a loop that wait for their {@link Pacer} register
 * a wake-up here, and a single timer (the earliest wake-up, millisecond resolution) runs every due
 * one. Each task runs on the Vert.x context that asked for it.
 *
 * <p>On a Vert.x event loop the timer is the loop's own (Netty's schedule, which outlives any
 * session verticle; a Vert.x timer would die with the verticle that set it). Elsewhere (tests on a
 * manual clock) it is the given {@link Scheduler}'s.
 */
public final class PacingTimer {
  private static final ThreadLocal<Map<Object, PacingTimer>> LOOPS = ThreadLocal.withInitial(WeakHashMap::new);

  private record Waiter(long due, Runnable task, Context context) {
  }

  private final Scheduler scheduler;
  private ArrayList<Waiter> waiting = new ArrayList<>();
  private ArrayList<Waiter> spare = new ArrayList<>();
  private long timer = -1;
  private long timerDue = Long.MAX_VALUE;
  private long fired;

  PacingTimer(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * The pacing timer of the calling thread's event loop for a node whose timers run on {@code scheduler}.
   * A scheduler on a manual clock gets its own (tests).
   */
  public static PacingTimer forCurrentLoop(Scheduler scheduler) {
    Context ctx = Vertx.currentContext();
    if (ctx instanceof ContextInternal ci && scheduler.clock() == Clock.SYSTEM) {
      EventLoop loop = ci.nettyEventLoop();
      return LOOPS.get().computeIfAbsent(loop, l -> new PacingTimer(Scheduler.of(loop)));
    }
    return LOOPS.get().computeIfAbsent(scheduler, s -> new PacingTimer(scheduler));
  }

  /** Runs {@code task} at {@code dueNanos} or soon after, on the calling context. */
  public void wakeAt(long dueNanos, Runnable task) {
    waiting.add(new Waiter(dueNanos, task, Vertx.currentContext()));
    arm(dueNanos);
  }

  /** Sessions waiting now. */
  public int waiting() {
    return waiting.size();
  }

  /** Times the timer fired. */
  public long fired() {
    return fired;
  }

  private void arm(long due) {
    if (timer >= 0 && timerDue <= due) return;
    if (timer >= 0) scheduler.cancel(timer);
    long now = scheduler.clock().nanoTime();
    timerDue = due;
    timer = scheduler.schedule(Math.max(1, (due - now + 999_999) / 1_000_000), this::fire);
  }

  private void fire() {
    fired++;
    timer = -1;
    timerDue = Long.MAX_VALUE;
    long now = scheduler.clock().nanoTime();
    ArrayList<Waiter> run = waiting;
    waiting = spare;
    spare = run;
    long next = Long.MAX_VALUE;
    for (Waiter w : run) {
      if (w.due() <= now + 500_000) { // within half a tick: the pacer credits the difference
        Context c = w.context();
        if (c == null || c == Vertx.currentContext()) w.task().run();
        else c.runOnContext(v -> w.task().run());
      } else {
        waiting.add(w);
        next = Math.min(next, w.due());
      }
    }
    run.clear();
    if (!waiting.isEmpty()) {
      for (Waiter w : waiting) next = Math.min(next, w.due());
      arm(next);
    }
  }
}
