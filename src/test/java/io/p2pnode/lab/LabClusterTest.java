package io.p2pnode.lab;

import io.p2pnode.lab.LabTopology.NatType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static io.p2pnode.lab.LabScenariosTest.connect;
import static io.p2pnode.lab.LabScenariosTest.delivers;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Clustered coordinators in the in-memory lab ({@link MemoryCluster} in place of Hazelcast):
 * peers registered with different coordinators are introduced and relayed across them, and a
 * coordinator's death moves its peers to the survivors they also registered with.
 */
class LabClusterTest {
  static final InetSocketAddress C2 = new InetSocketAddress(LabNetwork.addr("198.51.100.2"), 7700);

  private final LabNetwork net = new LabNetwork();
  private final LabTopology lab = new LabTopology(net);
  private final LabNode c2 = new LabNode(net, net.internet.host("198.51.100.2"), 7700, LabTopology.config("coord2", true), List.of());
  private final MemoryCluster cluster = new MemoryCluster();

  LabClusterTest() {
    cluster.join(lab.coordinator);
    cluster.join(c2);
  }

  private LabNode peer(String id, NatType type, String publicIp, InetSocketAddress... coordinators) {
    LabHost host = net.internet.nat("nat-" + id, publicIp, type.behavior).host("192.168.1.10");
    return new LabNode(net, host, 7700, LabTopology.config(id, false), List.of(coordinators));
  }

  @Test
  void peersOfDifferentCoordinatorsConnectDirect() {
    LabNode a = peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1", LabTopology.COORDINATOR);
    LabNode b = peer("bob", NatType.PORT_RESTRICTED_CONE, "203.0.113.2", C2);
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("coord2", cluster.record("bob").owner());
    assertEquals("direct", connect(lab, a, "bob"));
    delivers(lab, a, b, "across coordinators");
    delivers(lab, b, a, "and back");
    // bob's introduction came from his own coordinator, the one holding his NAT mapping
    assertTrue(b.events.stream().anyMatch(e -> e.contains("alice")), String.valueOf(b.events));
  }

  @Test
  void relayCrossesCoordinatorsBothWays() {
    LabNode a = peer("alice", NatType.SYMMETRIC, "203.0.113.1", LabTopology.COORDINATOR);
    LabNode b = peer("bob", NatType.SYMMETRIC, "203.0.113.2", C2);
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("relay", connect(lab, a, "bob"));
    delivers(lab, a, b, "relayed out");
    delivers(lab, b, a, "relayed back");
    assertTrue(lab.coordinator.counters.toJson().getLong("relayForwarded") > 0);
    assertTrue(c2.counters.toJson().getLong("relayForwarded") > 0);
  }

  @Test
  void unknownPeerIsNotFoundAcrossTheCluster() {
    LabNode a = peer("alice", NatType.FULL_CONE, "203.0.113.1", LabTopology.COORDINATOR);
    lab.run(LabTopology.REGISTERED_MS);
    assertTrue(connect(lab, a, "nobody").startsWith("failed: "));
    Future<JsonObject> c = a.connect("nobody");
    lab.runUntil(c, 5_000);
    assertEquals(404, ((io.vertx.core.eventbus.ReplyException) c.cause()).failureCode());
  }

  @Test
  void deadCoordinatorsPeersAreOwnedBySurvivorsAndReachable() {
    LabNode carol = peer("carol", NatType.PORT_RESTRICTED_CONE, "203.0.113.3", LabTopology.COORDINATOR, C2);
    LabNode dave = peer("dave", NatType.PORT_RESTRICTED_CONE, "203.0.113.4", C2);
    lab.run(LabTopology.REGISTERED_MS);
    // make coord the owner of carol's shared record (as if its refresh came last), then let it die
    cluster.setOwner("carol", "coord");
    cluster.kill("coord");
    net.block("198.51.100.1", "203.0.113.3", true);
    net.block("198.51.100.1", "203.0.113.4", true);
    assertEquals("coord2", cluster.record("carol").owner(), "the survivor published carol again at once");
    assertEquals("direct", connect(lab, dave, "carol"));
    delivers(lab, dave, carol, "after the failover");
  }
}
