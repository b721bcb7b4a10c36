package io.p2pnode.cluster;

import io.p2pnode.punch.CoordinatorVerticle;
import io.p2pnode.registry.HazelcastRegistry;
import io.p2pnode.registry.SharedRegistry;
import io.p2pnode.time.Clock;
import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Joins a coordinator to the other coordinators of its Hazelcast cluster: the shared
 * {@link HazelcastRegistry} and the {@link EventBusMesh}.
 */
public final class CoordinatorCluster {
  private CoordinatorCluster() {
  }

  /**
   * @param self       this coordinator's id (its node's peer id), unique in the cluster
   * @param mainSocket the socket frames for our peers leave on
   * @param registry   told the shared registry once it exists (for {@code p2p.status})
   */
  public static CoordinatorVerticle.ClusterJoin join(Vertx vertx, String self, Supplier<PacketSocket> mainSocket,
                                                     Consumer<SharedRegistry> registry) {
    return (context, endpoint) -> {
      if (!(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz)) {
        return Future.failedFuture(new IllegalStateException("cluster.enabled needs the Hazelcast cluster manager"));
      }
      HazelcastRegistry shared = new HazelcastRegistry(hz.getHazelcastInstance(), context, Clock.SYSTEM, java.time.Clock.systemUTC());
      return EventBusMesh.start(vertx.eventBus(), self, endpoint::deliverFromCluster).map(mesh -> {
        endpoint.cluster(shared, mesh, mainSocket);
        registry.accept(shared);
        return () -> {
          shared.close();
          return mesh.close();
        };
      });
    };
  }
}
