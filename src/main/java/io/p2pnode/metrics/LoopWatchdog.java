package io.p2pnode.metrics;

import io.p2pnode.time.Scheduler;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Notices a blocked event loop. Every {@link #probeMs} it queues a tiny task on each loop and
 * notes when; the task notes when it ran. A loop whose task has waited longer than
 * {@link #blockedMs} is blocked; the wait of each loop's last task is its lag. The ticking loop
 * itself may be the blocked one, so a tick overdue by {@code blockedMs} counts as blocked too.
 * Every answer is computed when asked, from any thread, so a blocked loop cannot hide itself.
 * Time comes from the injected {@link Scheduler}.
 */
public final class LoopWatchdog {
  /** Probe pace: lag is seen within a tenth of a second, for a negligible task per loop. */
  public static final long DEFAULT_PROBE_MS = 100;
  /** As Vert.x's own blocked-thread warning: a loop held this long has stalled every connection on it. */
  public static final long DEFAULT_BLOCKED_MS = 2_000;

  private static final long NONE = Long.MIN_VALUE;

  private final List<? extends Executor> loops;
  private final Scheduler scheduler;
  private final long probeMs;
  private final long blockedNanos;
  private final AtomicLongArray sentAt; // NONE when no probe is outstanding
  private final AtomicLongArray lastLag;
  private volatile long lastTick;
  private volatile boolean stopped = true;
  private long timer = -1;

  public LoopWatchdog(List<? extends Executor> loops, Scheduler scheduler, long probeMs, long blockedMs) {
    this.loops = List.copyOf(loops);
    this.scheduler = scheduler;
    this.probeMs = probeMs;
    this.blockedNanos = blockedMs * 1_000_000L;
    this.sentAt = new AtomicLongArray(loops.size());
    this.lastLag = new AtomicLongArray(loops.size());
    for (int i = 0; i < loops.size(); i++) sentAt.set(i, NONE);
  }

  /** A watchdog over every event loop of {@code vertx}, at the default pace and threshold. */
  public static LoopWatchdog of(io.vertx.core.Vertx vertx) {
    List<Executor> loops = new java.util.ArrayList<>();
    for (io.netty.util.concurrent.EventExecutor e : ((io.vertx.core.internal.VertxInternal) vertx).nettyEventLoopGroup()) loops.add(e);
    return new LoopWatchdog(loops, Scheduler.of(vertx), DEFAULT_PROBE_MS, DEFAULT_BLOCKED_MS);
  }

  /** Starts probing (on the caller's context's timers). */
  public void start() {
    stopped = false;
    tick();
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) scheduler.cancel(timer);
  }

  private void tick() {
    if (stopped) return;
    long now = scheduler.clock().nanoTime();
    lastTick = now;
    for (int i = 0; i < loops.size(); i++) {
      if (sentAt.get(i) != NONE) continue; // still waiting: its age is the lag
      sentAt.set(i, now);
      int loop = i;
      loops.get(i).execute(() -> {
        long sent = sentAt.get(loop);
        lastLag.set(loop, scheduler.clock().nanoTime() - sent);
        sentAt.set(loop, NONE);
      });
    }
    timer = scheduler.schedule(probeMs, this::tick);
  }

  /** Longest current lag over all loops, ms: an outstanding probe's age, else the last probe's wait. */
  public long maxLagMs() {
    long now = scheduler.clock().nanoTime();
    long max = 0;
    for (int i = 0; i < loops.size(); i++) {
      long sent = sentAt.get(i);
      max = Math.max(max, sent == NONE ? lastLag.get(i) : now - sent);
    }
    if (!stopped) max = Math.max(max, now - lastTick - probeMs * 1_000_000L);
    return Math.max(0, max / 1_000_000L);
  }

  /** True when some loop has not run a queued task for {@code blockedMs}. */
  public boolean blocked() {
    return maxLagMs() * 1_000_000L >= blockedNanos;
  }

  /** Loops watched. */
  public int loops() {
    return loops.size();
  }

  /** {@code {"blocked","maxLagMs","loops"}}: what {@code p2p.status} and {@code /health} show. */
  public JsonObject toJson() {
    long lag = maxLagMs();
    return new JsonObject().put("blocked", lag * 1_000_000L >= blockedNanos).put("maxLagMs", lag).put("loops", loops.size());
  }
}
