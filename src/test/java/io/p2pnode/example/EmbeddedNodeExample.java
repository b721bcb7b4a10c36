package io.p2pnode.example;

import io.p2pnode.P2pNodeVerticle;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The README's "Use it from your Vert.x application" example; {@code EmbeddingTest} runs it and
 * checks that the README quotes the part between the markers exactly.
 */
public final class EmbeddedNodeExample {
  private EmbeddedNodeExample() {
  }

  // README:begin
  /** Deploys a p2p node on the application's Vert.x, registered with a coordinator ("host:port"). */
  static Future<String> startNode(Vertx vertx, String peerId, String coordinator) {
    JsonObject config = new JsonObject()                       // the keys of conf/node.json
      .put("peerId", peerId)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))   // any free UDP port
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add(coordinator))
      .put("bridge", new JsonObject().put("port", 0))           // no TCP bridge
      .put("http", new JsonObject().put("port", 0));            // no /metrics, /health, dashboard
    return vertx.deployVerticle(new P2pNodeVerticle(), new DeploymentOptions().setConfig(config));
  }

  /** Receiving: messages peers send to this node, and requests it answers. */
  static void receive(Vertx vertx) {
    P2pClient p2p = P2pClient.create(vertx);
    p2p.<String>onInbound(Addresses.INBOUND, m -> System.out.println("[" + m.headers().get(Addresses.HEADER_FROM) + "] " + m.body()));
    p2p.<String>onInbound("app.echo", m -> m.reply("echo: " + m.body()));
  }

  /** Sending: a message (completes once the peer's node handed it over), then a request. */
  static Future<String> talk(Vertx vertx, String to) {
    P2pClient p2p = P2pClient.create(vertx);
    return p2p.send(to, "hello " + to)
      .compose(delivered -> p2p.<String>request(to, "app.echo", "ping"));   // the peer's reply
  }
  // README:end
}
