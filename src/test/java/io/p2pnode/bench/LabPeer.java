package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/** Helpers of the probes that run as peers inside NAT-lab namespaces. */
final class LabPeer {
  private LabPeer() {
  }

  /** Starts a peer node (not a coordinator) on {@code port}, registered with {@code coordinator}. */
  static P2pNode start(String peerId, int port, String coordinator, JsonObject session) throws Exception {
    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("peerId", peerId)
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", port))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add(coordinator)).put("bridge", new JsonObject().put("port", 0))
      .put("session", session));
    return await(P2pNode.start(o));
  }

  static Future<Void> delay(P2pNode node, long ms) {
    Promise<Void> p = Promise.promise();
    node.vertx().setTimer(ms, t -> p.complete());
    return p.future();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
