package io.p2pnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.FileSystemYamlConfig;
import io.p2pnode.config.ConfigException;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.epoll.Epoll;
import io.p2pnode.metrics.MeterRegistries;
import io.p2pnode.transport.BusyPollTransport;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * Creates the node's Vert.x instance: {@code eventLoops} event loops, native transport preferred
 * (SO_REUSEPORT listeners need epoll), its loops busy-polling {@code busyPollMicros} on epoll
 * ({@link BusyPollTransport}), clustered through vertx-hazelcast when {@code cluster.enabled},
 * configured by the XML or YAML file at {@code cluster.config}, with Vert.x's Micrometer metrics on
 * a Prometheus registry ({@link MeterRegistries}).
 */
public final class VertxFactory {
  private VertxFactory() {
  }

  public static Future<Vertx> create(NodeOptions options) {
    VertxOptions vo = new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(options.eventLoopCount());
    // Vert.x's own metrics (and the JVM's) go to the registry /metrics serves; a name of its own
    // per instance, or several nodes in one JVM would share one
    PrometheusMeterRegistry registry = MeterRegistries.create();
    // per-message event-bus meters are off: Vert.x looks its meters up on every message (a
    // quarter of the node's allocation per message, measured); the p2p_* meters count messages
    vo.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
      .addDisabledMetricsCategory(io.vertx.micrometer.MetricsDomain.EVENT_BUS)
      .setRegistryName("p2p-node-" + java.util.UUID.randomUUID()));
    VertxBuilder builder = Vertx.builder().with(vo).withMetrics(new MicrometerMetricsFactory(registry));
    // busy-polling needs epoll's select strategy; elsewhere the loops block, as Vert.x's do
    if (options.busyPollMicros() > 0 && Epoll.isAvailable()) {
      builder = builder.withTransport(BusyPollTransport.epoll(options.busyPollMicros()));
    }
    if (!options.cluster().enabled()) {
      Vertx vertx = builder.build();
      MeterRegistries.attach(vertx, registry);
      return Future.succeededFuture(vertx);
    }
    Config hz;
    String file = options.cluster().config();
    try {
      hz = file.endsWith(".yaml") || file.endsWith(".yml") ? new FileSystemYamlConfig(file) : new FileSystemXmlConfig(file);
    } catch (Exception e) {
      return Future.failedFuture(new ConfigException("cluster.config", "cannot load Hazelcast config \"" + file + "\": " + e.getMessage()));
    }
    return builder.withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
      .onSuccess(vertx -> MeterRegistries.attach(vertx, registry));
  }
}
