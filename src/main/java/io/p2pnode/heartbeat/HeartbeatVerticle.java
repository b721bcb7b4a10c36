package io.p2pnode.heartbeat;

import io.p2pnode.bus.Addresses;
import io.p2pnode.config.HeartbeatOptions;
import io.p2pnode.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The node's one heartbeat timer. Each tick is published on {@link Addresses#INTERNAL_TICK}:
 * sessions send keepalives on idle paths and declare silent peers down, the rendezvous client
 * refreshes registrations, the coordinator expires old ones.
 */
public final class HeartbeatVerticle extends VerticleBase {
  private final HeartbeatOptions options;
  private Scheduler scheduler;
  private long timer = -1;
  private boolean stopped;

  public HeartbeatVerticle(HeartbeatOptions options) {
    this.options = options;
  }

  /**
   * Tick period: a quarter of the keepalive interval, so a keepalive leaves at most 25% late and
   * a dead peer is declared at most that much after {@code heartbeat.timeoutMs}.
   */
  public static long tickMs(HeartbeatOptions o) {
    return Math.max(5, o.intervalMs() / 4);
  }

  @Override
  public Future<?> start() {
    scheduler = Scheduler.of(vertx);
    schedule();
    return Future.succeededFuture();
  }

  private void schedule() {
    timer = scheduler.schedule(tickMs(options), () -> {
      if (stopped) return;
      vertx.eventBus().publish(Addresses.INTERNAL_TICK, null, Addresses.LOCAL_ONLY);
      schedule();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer >= 0) scheduler.cancel(timer);
    return Future.succeededFuture();
  }
}
