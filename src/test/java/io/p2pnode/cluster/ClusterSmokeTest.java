package io.p2pnode.cluster;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/** {@code cluster.enabled}: two coordinators join one Hazelcast cluster and still serve their own API. */
class ClusterSmokeTest {

  static JsonObject clustered(String id) throws Exception {
    return new JsonObject().put("peerId", id)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0))
      .put("cluster", new JsonObject().put("enabled", true)
        .put("config", ClusterProcesses.localConfigNamed("p2p-smoke-" + ProcessHandle.current().pid())));
  }

  @Test
  void twoCoordinatorsFormOneClusterAndAnswerLocally() throws Exception {
    P2pNode a = await(P2pNode.start(NodeOptions.fromJson(clustered("c1"))));
    try {
      P2pNode b = await(P2pNode.start(NodeOptions.fromJson(clustered("c2"))));
      try {
        JsonObject sa = await(P2pClient.create(a.vertx()).status());
        JsonObject sb = await(P2pClient.create(b.vertx()).status());
        // each node's API answers for itself, never for the other member
        assertEquals("c1", sa.getString("peerId"));
        assertEquals("c2", sb.getString("peerId"));
        assertTrue(sa.getJsonObject("cluster").getBoolean("enabled"));
        assertEquals(2, sb.getJsonObject("cluster").getInteger("members"));
      } finally {
        await(b.stop());
      }
    } finally {
      await(a.stop());
    }
  }
}
