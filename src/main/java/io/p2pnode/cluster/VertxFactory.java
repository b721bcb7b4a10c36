package io.p2pnode.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.FileSystemYamlConfig;
import io.p2pnode.config.ConfigException;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Creates the node's Vert.x instance: native transport preferred (SO_REUSEPORT listeners need
 * epoll), clustered through vertx-hazelcast when {@code cluster.enabled}, configured by the
 * XML or YAML file at {@code cluster.config}.
 */
public final class VertxFactory {
  private VertxFactory() {
  }

  public static Future<Vertx> create(NodeOptions options) {
    VertxOptions vo = new VertxOptions().setPreferNativeTransport(true);
    if (!options.cluster().enabled()) return Future.succeededFuture(Vertx.builder().with(vo).build());
    Config hz;
    String file = options.cluster().config();
    try {
      hz = file.endsWith(".yaml") || file.endsWith(".yml") ? new FileSystemYamlConfig(file) : new FileSystemXmlConfig(file);
    } catch (Exception e) {
      return Future.failedFuture(new ConfigException("cluster.config", "cannot load Hazelcast config \"" + file + "\": " + e.getMessage()));
    }
    return Vertx.builder().with(vo).withClusterManager(new HazelcastClusterManager(hz)).buildClustered();
  }
}
