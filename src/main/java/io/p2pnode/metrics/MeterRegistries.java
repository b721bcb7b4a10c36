package io.p2pnode.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which Prometheus registry a node's meters go to. A Vert.x instance the node created itself
 * ({@link io.p2pnode.cluster.VertxFactory}) has one with Vert.x's own metrics in it; on an
 * embedding application's Vert.x the node uses the application's default Micrometer registry if
 * it is a Prometheus one, else a registry of its own holding the {@code p2p_*} meters only.
 */
public final class MeterRegistries {
  private static final Map<Vertx, PrometheusMeterRegistry> ATTACHED = Collections.synchronizedMap(new WeakHashMap<>());

  private MeterRegistries() {
  }

  /** A new registry for Vert.x's metrics and the node's. */
  public static PrometheusMeterRegistry create() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Records that {@code vertx} reports its metrics to {@code registry}. */
  public static void attach(Vertx vertx, PrometheusMeterRegistry registry) {
    ATTACHED.put(vertx, registry);
  }

  /** The registry for a node on {@code vertx} (see the class comment). */
  public static PrometheusMeterRegistry of(Vertx vertx) {
    PrometheusMeterRegistry r = ATTACHED.get(vertx);
    if (r != null) return r;
    if (vertx.isMetricsEnabled() && BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry p) return p;
    return create();
  }
}
