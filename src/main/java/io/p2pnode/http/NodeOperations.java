package io.p2pnode.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.p2pnode.bus.Addresses;
import io.p2pnode.config.HttpOptions;
import io.p2pnode.metrics.LoopWatchdog;
import io.p2pnode.metrics.MeterRegistries;
import io.p2pnode.metrics.NodeMeters;
import io.p2pnode.metrics.NodeSampler;
import io.p2pnode.session.PunchStats;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.logging.Logger;

/**
 * The node's operator side when {@code http.port} is set: the sampler, the {@code p2p_*} meters
 * on the Prometheus registry, and the HTTP verticle. {@link #close} takes the meters off the
 * registry again (it may be the embedding application's).
 */
public final class NodeOperations {
  private static final Logger LOG = Logger.getLogger("p2p.node");

  private final Vertx vertx;
  private final HttpOptions options;
  private final PrometheusMeterRegistry registry;
  private final NodeSampler sampler;
  private final NodeMeters meters;
  private final NodeProbe probe;
  private MessageConsumer<Object> ticks;
  private HttpVerticle http;

  /** @param registryPeers this coordinator's registry size, or null when the node is not a coordinator */
  public NodeOperations(Vertx vertx, HttpOptions options, Counters counters, PunchStats punch, LoopWatchdog watchdog,
                        IntSupplier registryPeers, NodeProbe probe) {
    this.vertx = vertx;
    this.options = options;
    this.probe = probe;
    this.registry = MeterRegistries.of(vertx);
    this.sampler = new NodeSampler(vertx.eventBus(), Scheduler.of(vertx), NodeSampler.DEFAULT_PERIOD_MS);
    this.meters = new NodeMeters(registry, counters, punch, watchdog, registryPeers);
  }

  /** Starts sampling and deploys the HTTP verticle with {@code deploy}. */
  public Future<Void> start(Function<Deployable, Future<String>> deploy) {
    sampler.onSample(meters::update);
    ticks = vertx.eventBus().localConsumer(Addresses.INTERNAL_TICK, m -> meters.tick());
    sampler.start();
    HttpVerticle v = new HttpVerticle(options, registry, probe, sampler);
    return deploy.apply(v).onSuccess(id -> {
      http = v;
      LOG.info("http listening on " + options.host() + ":" + v.port() + " (/metrics, /health, dashboard at /)");
    }).mapEmpty();
  }

  /** The HTTP port listened on, or -1 before start. */
  public int port() {
    return http == null ? -1 : http.port();
  }

  public void close() {
    sampler.stop();
    if (ticks != null) ticks.unregister();
    meters.close();
  }
}
