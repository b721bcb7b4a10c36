package io.p2pnode.metrics;

import io.p2pnode.bus.Addresses;
import io.p2pnode.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Asks the node for {@code p2p.status} and {@code p2p.peers} every {@link #DEFAULT_PERIOD_MS}
 * (through its own event-bus API, like any application) and hands each {@link Sample} to its
 * listeners: the session meters, the dashboard's live updates. An unanswered question leaves the
 * previous sample's data in place and is marked {@code stale}.
 */
public final class NodeSampler {
  /** Once a second: what a dashboard refreshes at, and a tenth of a typical Prometheus scrape interval. */
  public static final long DEFAULT_PERIOD_MS = 1_000;
  /** An answer later than this is not waited for (a blocked control loop). */
  static final long ASK_TIMEOUT_MS = 900;

  /**
   * One look at the node.
   *
   * @param status {@code p2p.status}
   * @param peers  the {@code peers} array of {@code p2p.peers}
   * @param stale  true when the node did not answer in time: the data is the previous sample's
   */
  public record Sample(JsonObject status, JsonArray peers, boolean stale) {
    public JsonObject toJson() {
      return new JsonObject().put("status", status).put("peers", peers).put("stale", stale);
    }
  }

  private final EventBus eventBus;
  private final Scheduler scheduler;
  private final long periodMs;
  private final List<Consumer<Sample>> listeners = new CopyOnWriteArrayList<>();
  private volatile Sample last = new Sample(new JsonObject(), new JsonArray(), true);
  private volatile boolean stopped = true;
  private long timer = -1;

  public NodeSampler(EventBus eventBus, Scheduler scheduler, long periodMs) {
    this.eventBus = eventBus;
    this.scheduler = scheduler;
    this.periodMs = periodMs;
  }

  public void onSample(Consumer<Sample> listener) {
    listeners.add(listener);
  }

  /** The latest sample (never null). */
  public Sample last() {
    return last;
  }

  public void start() {
    stopped = false;
    tick();
  }

  public void stop() {
    stopped = true;
    if (timer >= 0) scheduler.cancel(timer);
  }

  /** Takes a sample now; completes with it (also when the node did not answer: then it is stale). */
  public Future<Sample> sample() {
    DeliveryOptions o = new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS).setLocalOnly(true);
    Future<JsonObject> status = eventBus.<JsonObject>request(Addresses.STATUS, null, o).map(Message::body);
    Future<JsonObject> peers = eventBus.<JsonObject>request(Addresses.PEERS, null, o).map(Message::body);
    return Future.join(status, peers).transform(ar -> {
      Sample prev = last;
      Sample s = new Sample(status.succeeded() ? status.result() : prev.status(),
        peers.succeeded() ? peers.result().getJsonArray("peers", new JsonArray()) : prev.peers(), ar.failed());
      last = s;
      for (Consumer<Sample> l : listeners) {
        try {
          l.accept(s);
        } catch (RuntimeException e) {
          java.util.logging.Logger.getLogger("p2p.metrics").warning("sample listener failed: " + e);
        }
      }
      return Future.succeededFuture(s);
    });
  }

  private void tick() {
    if (stopped) return;
    sample().onComplete(ar -> {
      if (!stopped) timer = scheduler.schedule(periodMs, this::tick);
    });
  }
}
