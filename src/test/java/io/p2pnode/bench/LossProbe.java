package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs inside a peer's namespace of the NAT lab: sends {@code N} numbered messages to
 * {@code bench.order} on the target (at most {@code W} unconfirmed), then prints
 * {@code REPORT {"confirmed","failed","inOrder","duplicates","outOfOrder","transport"}}. With
 * {@code burst} as 5th argument it does not connect first: once registered it pipelines its first
 * 256 messages at a peer it has no session with (order must hold from the first message).
 */
public final class LossProbe {
  private LossProbe() {
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    String coordinator = args[1];
    String target = args[2];
    boolean udpOnly = args.length > 3 && args[3].equals("udp-only");
    boolean burst = args.length > 4 && args[4].equals("burst");
    P2pNode node = LabPeer.start("lossprobe", 7790, coordinator,
      new JsonObject().put("connectTimeoutMs", 20_000).put("relayAfterMs", 19_000), !udpOnly);
    P2pClient api = P2pClient.create(node.vertx());
    if (burst) LabPeer.awaitRegistered(node, api); // pipelines at a peer it has no session with
    else LabPeer.connectEventually(node, api, target);
    DeliveryOptions opts = new DeliveryOptions().addHeader(Addresses.HEADER_TO, target)
      .addHeader(Addresses.HEADER_ADDRESS, "bench.order").addHeader(Addresses.HEADER_TIMEOUT_MS, "600000");
    AtomicInteger next = new AtomicInteger();
    AtomicInteger confirmed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= n) return;
      node.vertx().eventBus().request(Addresses.SEND, Integer.toString(i), opts).onComplete(ar -> {
        if (ar.succeeded()) confirmed.incrementAndGet();
        else if (failed.incrementAndGet() == 1) firstFailure.set(ar.cause().getMessage());
        if (confirmed.get() + failed.get() == n) done.complete(null);
        else send[0].run();
      });
    };
    node.vertx().runOnContext(v -> {
      for (int i = 0; i < 256; i++) send[0].run();
    });
    done.get(600, TimeUnit.SECONDS);
    JsonObject report = (JsonObject) LabPeer.await(node.vertx().eventBus().request(Addresses.REQUEST, "?",
      new DeliveryOptions().addHeader(Addresses.HEADER_TO, target).addHeader(Addresses.HEADER_ADDRESS, "bench.order.report"))).body();
    JsonObject peers = LabPeer.await(api.peers());
    report.put("confirmed", confirmed.get()).put("failed", failed.get()).put("firstFailure", firstFailure.get())
      .put("transport", peers.getJsonArray("peers").getJsonObject(0).getJsonObject("transport"));
    System.out.println("REPORT " + report.encode());
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
