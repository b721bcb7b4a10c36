package io.p2pnode.lab;

import io.p2pnode.lab.LabTopology.NatType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The topologies of DESIGN §3 beyond the pair matrix, on the simulated clock. */
class LabScenariosTest {

  static String connect(LabTopology lab, LabNode from, String to) {
    Future<JsonObject> c = from.connect(to);
    lab.runUntil(c, 20_000);
    return c.succeeded() ? c.result().getString("path") : "failed: " + c.cause().getMessage();
  }

  /** The path of {@code node}'s first session, or null when it has none up. */
  static String pathOf(LabNode node) {
    var peers = node.peers().result().getJsonArray("peers");
    return peers.isEmpty() ? null : peers.getJsonObject(0).getString("path");
  }

  static void delivers(LabTopology lab, LabNode from, LabNode to, String text) {
    Future<Object> f = from.send(to.peerId, "app", text);
    lab.runUntil(f, 10_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(text, to.inbound.get(to.inbound.size() - 1).body());
  }

  /** Two peers on one LAN behind one NAT: their private candidates win, with or without hairpinning. */
  @Test
  void sameNatWithAndWithoutHairpinEndsOnLan() {
    for (boolean hairpin : List.of(true, false)) {
      LabNetwork net = new LabNetwork();
      LabTopology lab = new LabTopology(net);
      LabNetwork.Realm lan = net.internet.nat("home", "203.0.113.1", NatBehavior.portRestrictedCone().withHairpin(hairpin));
      LabNode a = new LabNode(net, lan.host("192.168.1.10"), 7700, LabTopology.config("alice", false), List.of(LabTopology.COORDINATOR));
      LabNode b = new LabNode(net, lan.host("192.168.1.11"), 7700, LabTopology.config("bob", false), List.of(LabTopology.COORDINATOR));
      lab.run(LabTopology.REGISTERED_MS);
      assertEquals("direct-lan", connect(lab, a, "bob"), "hairpin " + hairpin);
      delivers(lab, a, b, "same lan, hairpin " + hairpin);
    }
  }

  /** Carrier NAT + home NAT on one side, a cone NAT on the other: reached through public endpoints. */
  @Test
  void doubleNatEndsDirect() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNetwork.Realm cgn = net.internet.nat("cgn", "203.0.113.50", NatBehavior.portRestrictedCone());
    LabNetwork.Realm home = cgn.nat("home", "100.64.0.10", NatBehavior.portRestrictedCone());
    LabNode a = new LabNode(net, home.host("192.168.1.10"), 7700, LabTopology.config("alice", false), List.of(LabTopology.COORDINATOR));
    LabNode b = lab.peer("bob", NatType.PORT_RESTRICTED_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, a, "bob"));
    delivers(lab, a, b, "through two NATs");
    delivers(lab, b, a, "and back");
  }

  /** One side public: the NATed side's own punches open the way (the reverse connection). */
  @Test
  void onePublicPeerReachedFromEitherSide() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode pub = lab.peer("pub", NatType.NONE, "203.0.113.9");
    LabNode natted = lab.peer("natted", NatType.SYMMETRIC, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, pub, "natted"), "public side initiates: the NATed side connects out");
    delivers(lab, pub, natted, "reverse");
  }

  /** A NAT whose mappings expire after 20 s of silence: heartbeats keep the session through 60 s idle. */
  @Test
  void heartbeatsHoldANatMappingThroughSixtySecondsIdle() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNetwork.Realm lanA = net.internet.nat("natA", "203.0.113.1", NatBehavior.portRestrictedCone().withIdleTimeoutMs(20_000));
    LabNetwork.Realm lanB = net.internet.nat("natB", "203.0.113.2", NatBehavior.portRestrictedCone().withIdleTimeoutMs(20_000));
    JsonObject conf = LabTopology.config("alice", false).put("heartbeat", new JsonObject().put("intervalMs", 5000).put("timeoutMs", 15000));
    LabNode a = new LabNode(net, lanA.host("192.168.1.10"), 7700, conf, List.of(LabTopology.COORDINATOR));
    LabNode b = new LabNode(net, lanB.host("192.168.1.10"), 7700, conf.copy().put("peerId", "bob"), List.of(LabTopology.COORDINATOR));
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, a, "bob"));
    lab.run(60_000);
    assertTrue(a.events.stream().noneMatch(e -> e.startsWith("p2p.peer.down")), a.events.toString());
    delivers(lab, a, b, "still here after 60 s");
  }

  /** Without keepalives the same NAT forgets the mapping: the control experiment for the test above. */
  @Test
  void withoutKeepalivesTheMappingExpires() {
    LabNetwork net = new LabNetwork();
    LabNetwork.Realm lan = net.internet.nat("natA", "203.0.113.1", NatBehavior.portRestrictedCone().withIdleTimeoutMs(20_000));
    LabHost h = lan.host("192.168.1.10");
    var server = net.internet.host("198.51.100.7");
    int[] got = {0};
    var srv = server.bind(9, (s, d, from) -> got[0]++);
    var cli = h.bind(5000, (s, d, from) -> got[0] += 100);
    cli.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1}), srv.localAddress());
    net.clock().advance(50);
    assertEquals(1, got[0]);
    net.clock().advance(25_000);
    srv.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {2}), new java.net.InetSocketAddress("203.0.113.1", 5000));
    net.clock().advance(50);
    assertEquals(1, got[0], "the expired mapping let nothing in");
  }

  /** A direct path that dies (the peer's NAT loses its mapping and renumbers) is punched again. */
  @Test
  void deadPathIsRepunchedAndMessagesFlowAgain() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
    LabNode b = lab.peer("bob", NatType.FULL_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, a, "bob"));
    // the network drops everything for longer than two keepalive intervals but less than the timeout;
    // a message sent into the outage is kept and re-sent once the path is back
    net.impair(1.0, 0, 0);
    Future<Object> during = a.send("bob", "app", "sent during the outage");
    lab.run(2_600);
    net.impair(0, 0, 0);
    lab.runUntil(during, 5_000);
    assertTrue(during.succeeded(), String.valueOf(during.cause()));
    assertEquals(1, b.inbound.stream().filter(d -> d.body().equals("sent during the outage")).count(), "exactly once");
    assertTrue(a.events.stream().noneMatch(e -> e.startsWith("p2p.peer.down")), a.events.toString());
    delivers(lab, a, b, "after the outage");
  }

  /** Symmetric against symmetric: relay, with the upgrade attempts counted but never succeeding. */
  @Test
  void symmetricPairStaysOnRelayAndKeepsTrying() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.SYMMETRIC, "203.0.113.1");
    LabNode b = lab.peer("bob", NatType.SYMMETRIC, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("relay", connect(lab, a, "bob"));
    lab.run(40_000);
    delivers(lab, a, b, "relayed");
    assertTrue(lab.coordinator.counters.toJson().getLong("relayForwarded") > 0);
    Future<JsonObject> peers = a.peers();
    assertEquals("relay", peers.result().getJsonArray("peers").getJsonObject(0).getString("path"));
  }

  /**
   * A relay cannot read payloads: every datagram on the simulated internet (to and from the
   * coordinator included) is captured while a relayed session carries a message; the message
   * is in none of them, though it arrives.
   */
  @Test
  void relayedPayloadsStaySealed() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.SYMMETRIC, "203.0.113.1");
    LabNode b = lab.peer("bob", NatType.SYMMETRIC, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("relay", connect(lab, a, "bob"));
    List<byte[]> captured = new java.util.ArrayList<>();
    net.tap = captured::add;
    String secret = "SECRET-relayed-4411";
    delivers(lab, a, b, secret);
    assertTrue(captured.size() >= 2, "the relayed datagrams were captured");
    String all = captured.stream().map(d -> new String(d, java.nio.charset.StandardCharsets.ISO_8859_1))
      .collect(java.util.stream.Collectors.joining("|"));
    assertFalse(all.contains(secret), "the relay saw the payload");
  }

  /** Relay budgets: a peer over its byte limit is refused and counted. */
  @Test
  void relayIsLimitedPerPeer() {
    LabNetwork net = new LabNetwork();
    LabNode coord = new LabNode(net, net.internet.host("198.51.100.1"), 7700,
      LabTopology.config("coord", true).put("coordinator", new JsonObject().put("enabled", true).put("relayMaxBytes", 1500)), List.of());
    LabTopology lab = new LabTopology(net, coord);
    LabNode a = lab.peer("alice", NatType.SYMMETRIC, "203.0.113.1");
    lab.peer("bob", NatType.SYMMETRIC, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("relay", connect(lab, a, "bob"));
    Future<Object> big = a.send("bob", "app", "x".repeat(900));
    lab.runUntil(big, 15_000);
    Future<Object> over = a.send("bob", "app", "y".repeat(900));
    lab.runUntil(over, 15_000);
    assertTrue(coord.counters.drops(io.p2pnode.transport.Drop.RELAY_REFUSED) > 0,
      coord.counters.toJson().encode() + " big=" + big + " over=" + over);
    assertTrue(over.failed(), "the send over the relay budget does not arrive");
  }

  /**
   * A direct path that dies for good falls back to the relay; nothing sent meanwhile is lost.
   * Both ways round: the sender initiates the session's handshake (alice's key is the smaller) or
   * answers it.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"alice, bob", "bob, alice"})
  void permanentlyDeadDirectPathFallsBackToRelayWithoutLoss(String sender, String receiver) {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer(sender, NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
    LabNode b = lab.peer(receiver, NatType.PORT_RESTRICTED_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, a, receiver));
    // the sender is up; the receiver too once the handshake's last message reached it
    for (int i = 0; i < 2_000 && !"direct".equals(pathOf(b)); i++) lab.run(1);
    assertEquals("direct", pathOf(b), "the receiver's side of the session is up too");
    net.block("203.0.113.1", "203.0.113.2", true); // the two NATs can no longer reach each other
    Future<Object> during = a.send(receiver, "app", "sent as the path died");
    lab.runUntil(during, 10_000);
    assertTrue(during.succeeded(), String.valueOf(during.cause()));
    assertEquals(1, b.inbound.stream().filter(d -> d.body().equals("sent as the path died")).count());
    assertEquals("relay", a.peers().result().getJsonArray("peers").getJsonObject(0).getString("path"));
    assertTrue(a.events.stream().anyMatch(e -> e.startsWith("p2p.path.changed") && e.contains("\"path\":\"relay\"")), a.events.toString());
    // the direct path comes back: the background upgrade finds it
    net.block("203.0.113.1", "203.0.113.2", false);
    lab.run(20_000);
    assertEquals("direct", a.peers().result().getJsonArray("peers").getJsonObject(0).getString("path"));
    assertTrue(a.events.stream().anyMatch(e -> e.startsWith("p2p.path.changed") && e.contains("\"previousPath\":\"relay\"")), a.events.toString());
    delivers(lab, a, b, "direct again");
  }

  /**
   * With {@code heartbeat.measureNatTimeout}, the node finds that its NAT forgets idle mappings
   * after 20 s and stretches keepalives from 5 s to about 14 s: the session still lives through
   * 3 minutes of idle, with fewer keepalives than the fixed interval would send.
   */
  @Test
  void keepalivesAreSizedToTheMeasuredNatTimeout() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNetwork.Realm lanA = net.internet.nat("natA", "203.0.113.1", NatBehavior.portRestrictedCone().withIdleTimeoutMs(20_000));
    LabNetwork.Realm lanB = net.internet.nat("natB", "203.0.113.2", NatBehavior.portRestrictedCone().withIdleTimeoutMs(20_000));
    JsonObject hb = new JsonObject().put("intervalMs", 5000).put("timeoutMs", 15000).put("measureNatTimeout", true);
    LabNode a = new LabNode(net, lanA.host("192.168.1.10"), 7700, LabTopology.config("alice", false).put("heartbeat", hb),
      List.of(LabTopology.COORDINATOR));
    LabNode b = new LabNode(net, lanB.host("192.168.1.10"), 7700, LabTopology.config("bob", false).put("heartbeat", hb),
      List.of(LabTopology.COORDINATOR));
    lab.run(120_000); // probing: 5 s, 10 s ok; 20 s lost; 15 s, 17.5 s ok
    JsonObject probe = a.prober.toJson();
    assertEquals("DONE", probe.getString("state"), probe.encode());
    assertTrue(probe.getLong("survivedMs") >= 15_000 && probe.getLong("expiredMs") == 20_000, probe.encode());
    long keepalive = a.prober.keepaliveMs();
    assertTrue(keepalive >= 12_000 && keepalive < 20_000, "keepalive " + keepalive);
    assertEquals("direct", connect(lab, a, "bob"));
    lab.run(180_000);
    assertTrue(a.events.stream().noneMatch(e -> e.startsWith("p2p.peer.down")), a.events.toString());
    long keepalives = a.peers().result().getJsonArray("peers").getJsonObject(0).getLong("keepalivesSent");
    assertTrue(keepalives > 0 && keepalives <= 180 / 12, "keepalives every ~14 s, not every 5 s: " + keepalives);
    delivers(lab, a, b, "alive after 3 idle minutes with stretched keepalives");
  }

  /**
   * Roaming: alice's NAT reboots and maps her to a new port; her next sealed frame reaches bob from
   * there and bob's session moves to it at once (no silence, no re-punch); a spoofed frame from
   * elsewhere would not authenticate.
   */
  @Test
  void aPeerWhoseNatRemapsKeepsItsSession() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNetwork.Realm lan = net.internet.nat("nat-alice", "203.0.113.1", NatBehavior.fullCone());
    LabNode a = new LabNode(net, lan.host("192.168.1.10"), 7700, LabTopology.config("alice", false), List.of(LabTopology.COORDINATOR));
    LabNode b = lab.peer("bob", NatType.FULL_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    assertEquals("direct", connect(lab, a, "bob"));
    String before = b.peers().result().getJsonArray("peers").getJsonObject(0).getString("remote");
    lan.uplink.reboot();
    Future<Object> f = a.send("bob", "app", "from a new port");
    long ms = lab.runUntil(f, 10_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    String after = b.peers().result().getJsonArray("peers").getJsonObject(0).getString("remote");
    assertNotEquals(before, after, "bob follows alice to her new mapping");
    assertTrue(after.startsWith("203.0.113.1:"), after);
    assertTrue(ms < 1_000, "delivered without waiting for a re-punch: " + ms + " ms");
    assertTrue(b.events.stream().anyMatch(e -> e.startsWith("p2p.path.changed")), b.events.toString());
  }
}
