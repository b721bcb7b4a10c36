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
    return start(peerId, port, coordinator, session, true);
  }

  /** As {@link #start(String, int, String, JsonObject)}; {@code tcp=false}: UDP only ({@code listen.tcp}). */
  static P2pNode start(String peerId, int port, String coordinator, JsonObject session, boolean tcp) throws Exception {
    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("peerId", peerId)
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", port).put("tcp", tcp))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add(coordinator)).put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0))
      .put("session", session));
    return await(P2pNode.start(o));
  }

  /**
   * Waits (up to 30 s) until the node is registered with its coordinator over UDP or TCP and, when
   * over UDP, until it knows its NAT type.
   */
  static void awaitRegistered(P2pNode node, io.p2pnode.bus.P2pClient api) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonObject st = await(api.status());
      JsonObject c = st.getJsonArray("coordinators").getJsonObject(0);
      boolean udp = c.getJsonObject("udp") == null ? c.getBoolean("registered") : c.getJsonObject("udp").getBoolean("registered");
      boolean tcp = c.getJsonObject("tcp") != null && c.getJsonObject("tcp").getBoolean("registered");
      if (udp && !"unknown".equals(st.getString("natType")) || tcp && !udp && System.nanoTime() > deadline - TimeUnit.SECONDS.toNanos(27)) {
        return;
      }
      await(delay(node, 20));
    }
  }

  /** Connects to {@code peer}, again every 200 ms while registrations are still on their way through a lossy lab (60 s at most). */
  static void connectEventually(P2pNode node, io.p2pnode.bus.P2pClient api, String peer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        await(api.connect(peer));
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) throw e;
        await(delay(node, 200));
      }
    }
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
