package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside a peer's network namespace: starts a fresh node per trial, waits until it is
 * registered and knows its NAT type, then times {@code p2p.request} to {@code bench.clock} on the
 * target — connect (introduction + punching) included. Prints one {@code TRIAL} line per trial:
 * the one-way time to delivery (from the target's clock; one clock per machine) and the full
 * round trip.
 */
public final class ConnectProbe {
  private ConnectProbe() {
  }

  public static void main(String[] args) throws Exception {
    int trials = Integer.parseInt(args[0]);
    String coordinator = args[1];
    String target = args[2];
    int basePort = args.length > 3 ? Integer.parseInt(args[3]) : 7700;
    for (int i = 1; i <= trials; i++) {
      P2pNode node = LabPeer.start("probe-" + basePort + "-" + i, basePort + i, coordinator, new JsonObject());
      try {
        P2pClient api = P2pClient.create(node.vertx());
        LabPeer.awaitRegistered(node, api);
        Instant t0 = Instant.now();
        long n0 = System.nanoTime();
        Message<Object> reply = LabPeer.await(node.vertx().eventBus().request(Addresses.REQUEST, "t0",
          new DeliveryOptions().addHeader(Addresses.HEADER_TO, target).addHeader(Addresses.HEADER_ADDRESS, "bench.clock")));
        long roundTripUs = (System.nanoTime() - n0) / 1_000;
        long deliveredUs = Long.parseLong((String) reply.body()) - (t0.getEpochSecond() * 1_000_000L + t0.getNano() / 1_000);
        String path = LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0).getString("path");
        System.out.printf("TRIAL %d deliveredMs=%.1f roundTripMs=%.1f path=%s%n", i, deliveredUs / 1e3, roundTripUs / 1e3, path);
      } finally {
        node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }
}
