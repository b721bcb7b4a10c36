package io.p2pnode.cluster;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Three clustered coordinators as separate JVM processes sharing the Hazelcast registry: peers
 * registered with different coordinators connect; {@code kill -9} of a coordinator during
 * traffic moves its peers to the survivors they also registered with, within two heartbeat
 * timeouts, new connections work, and a running direct session loses nothing.
 */
class ClusteredCoordinatorsTest {
  /** Peers' heartbeat: the fail-over bound is two of these timeouts. */
  static final int HEARTBEAT_TIMEOUT_MS = 5_000;

  static JsonObject peer(String id, ClusterProcesses.Coordinator... at) {
    JsonArray rendezvous = new JsonArray();
    for (ClusterProcesses.Coordinator c : at) rendezvous.add(c.rendezvous());
    return TestNodes.config(id).put("coordinator", new JsonObject().put("enabled", false)).put("rendezvous", rendezvous)
      .put("heartbeat", new JsonObject().put("intervalMs", 1_000).put("timeoutMs", HEARTBEAT_TIMEOUT_MS));
  }

  private static long owned(ClusterProcesses.Coordinator c) throws Exception {
    return c.status().getJsonObject("cluster").getJsonObject("registry").getLong("ownedEntries");
  }

  @Test
  void introductionsCrossCoordinatorsAndSurviveAKilledOne() throws Exception {
    String name = "p2p-failover-" + ProcessHandle.current().pid();
    try (ClusterProcesses cluster = new ClusterProcesses(); TestNodes nodes = new TestNodes()) {
      var c1 = cluster.start("c1", ClusterProcesses.memberConfig(name, 1, 3, 5810, 34000));
      var c2 = cluster.start("c2", ClusterProcesses.memberConfig(name, 2, 3, 5810, 34000));
      var c3 = cluster.start("c3", ClusterProcesses.memberConfig(name, 3, 3, 5810, 34000));
      ClusterProcesses.awaitStatus(c1, s -> ClusterProcesses.members(s) == 3, 60, "three members");

      P2pNode alice = nodes.startRegistered(peer("alice", c1));
      P2pNode bob = nodes.startRegistered(peer("bob", c2));
      P2pNode carol = nodes.startRegistered(peer("carol", c1, c3));
      P2pNode dave = nodes.startRegistered(peer("dave", c2));
      P2pNode erin = nodes.startRegistered(peer("erin", c3));

      // alice (c1) reaches bob (c2): c1 finds bob in the shared registry, c2 introduces bob
      assertEquals("direct", TestNodes.connectEventually(alice, "bob").getString("path"));
      JsonObject c1Status = c1.status();
      assertTrue(c1Status.getJsonObject("cluster").getJsonObject("registry").getInteger("members") == 3, c1Status.encode());

      // steady traffic alice -> bob, in order, through the kill
      long[] next = {0};
      AtomicLong received = new AtomicLong();
      AtomicLong outOfOrder = new AtomicLong();
      bob.vertx().eventBus().<String>localConsumer("app.seq", m -> {
        if (Long.parseLong(m.body()) != received.getAndIncrement()) outOfOrder.incrementAndGet();
      });
      AtomicLong confirmed = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      DeliveryOptions to = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, "app.seq");
      long timer = alice.vertx().setPeriodic(2, t -> alice.vertx().eventBus().request(Addresses.SEND, String.valueOf(next[0]++), to)
        .onComplete(ar -> (ar.succeeded() ? confirmed : failed).incrementAndGet()));

      TimeUnit.MILLISECONDS.sleep(500); // let traffic flow before the kill (wall-clock scenario, not synchronisation)
      long killedAt = System.nanoTime();
      c1.process().kill();

      // carol registered with c1 and c3: dave (c2) reaches her once c3 owns her record
      long movedMs = -1;
      while (System.nanoTime() - killedAt < TimeUnit.MILLISECONDS.toNanos(3L * HEARTBEAT_TIMEOUT_MS)) {
        try {
          JsonObject c = await(P2pClient.create(dave.vertx()).connect("carol"));
          assertEquals("direct", c.getString("path"));
          movedMs = (System.nanoTime() - killedAt) / 1_000_000;
          break;
        } catch (RuntimeException e) {
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
      assertTrue(movedMs >= 0, "dave never reached carol after c1 died");
      assertTrue(movedMs < 2L * HEARTBEAT_TIMEOUT_MS, "fail-over took " + movedMs + " ms");
      // new connections between survivors' peers still work
      assertEquals("direct", TestNodes.connectEventually(erin, "bob").getString("path"));
      ClusterProcesses.awaitStatus(c2, s -> ClusterProcesses.members(s) == 2, 30, "c1 gone from the cluster");
      // the registry converged on the survivors: all five peers' records, c1's primary copies restored from backups
      long convergedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long held = 0;
      while (System.nanoTime() < convergedBy) {
        held = owned(c2) + owned(c3);
        if (held == 5) break;
        TimeUnit.MILLISECONDS.sleep(100); // polling other processes
      }
      assertEquals(5, held, "records held by the surviving coordinators");

      alice.vertx().cancelTimer(timer);
      long sent = await(io.vertx.core.Future.<Long>future(p -> alice.vertx().runOnContext(v -> p.complete(next[0]))));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      // a confirmation means queued for bob's consumer, which runs on its own thread: wait for both
      while ((confirmed.get() + failed.get() < sent || received.get() < sent) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      assertEquals(0, failed.get(), "sends failed during the fail-over");
      assertEquals(sent, confirmed.get());
      assertEquals(sent, received.get(), "bob received every message");
      assertEquals(0, outOfOrder.get());
      System.out.printf("fail-over: carol reachable through c3 %d ms after kill -9 of c1; %d messages alice->bob, none lost%n",
        movedMs, sent);
    }
  }
}
