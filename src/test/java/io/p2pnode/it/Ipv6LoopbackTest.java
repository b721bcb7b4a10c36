package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * IPv6 on loopback, no root: a pair on {@code [::1]} talking direct, and a dual-stack node
 * ({@code listen.host} "::") reached by an IPv4-only peer, every address shown as IPv4
 * ({@code 127.0.0.1}, never {@code ::ffff:127.0.0.1}). Skipped where the host has no IPv6 loopback.
 */
class Ipv6LoopbackTest {
  private TestNodes nodes;

  @BeforeAll
  static void ipv6Loopback() {
    boolean ok;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
      ok = s.getLocalPort() > 0;
    } catch (java.io.IOException e) {
      ok = false;
    }
    assumeTrue(ok, "no IPv6 loopback on this host");
  }

  @AfterEach
  void stop() {
    if (nodes != null) nodes.close();
  }

  private static JsonObject on(JsonObject config, String host) {
    config.getJsonObject("listen").put("host", host);
    return config;
  }

  private static JsonObject peer(String id, String host, String... rendezvous) {
    return on(TestNodes.config(id), host).put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray(List.of((Object[]) rendezvous)));
  }

  /** A request from {@code from} to {@code to}'s "echo" consumer comes back with its body and path. */
  private static void echo(P2pNode from, P2pNode to, String expectedPath) {
    to.vertx().eventBus().<Object>localConsumer("echo", m -> m.reply(m.body() + " from " + m.headers().get("from")));
    Object reply = await(from.vertx().eventBus().request("p2p.request", "hi",
      new io.vertx.core.eventbus.DeliveryOptions().addHeader("to", to.peerId()).addHeader("address", "echo"))).body();
    assertEquals("hi from " + from.peerId(), reply);
    JsonObject sent = await(P2pClient.create(from.vertx()).send(to.peerId(), "echo", "again"));
    assertEquals(expectedPath, sent.getString("path"));
  }

  @Test
  void pairOnIpv6LoopbackTalksDirect() {
    nodes = new TestNodes();
    P2pNode coord = nodes.start(on(TestNodes.config("coord6"), "::1"));
    String rv = "[::1]:" + coord.udpAddress().getPort();
    P2pNode alice = nodes.startRegistered(peer("alice6", "::1", rv));
    P2pNode bob = nodes.startRegistered(peer("bob6", "::1", rv));
    assertEquals("[::1]:" + alice.udpAddress().getPort(),
      await(P2pClient.create(alice.vertx()).status()).getString("listen"));

    JsonObject up = TestNodes.connectEventually(alice, "bob6");
    assertEquals("direct", up.getString("path"));
    assertEquals("[::1]:" + bob.udpAddress().getPort(), up.getString("remote"));
    echo(alice, bob, "direct");
    echo(bob, alice, "direct");
    JsonObject seen = peerEntry(bob, "alice6");
    assertEquals("[::1]:" + alice.udpAddress().getPort(), seen.getString("remote"));
  }

  @Test
  void dualStackListenerShowsIpv4PeersAsIpv4() {
    nodes = new TestNodes();
    P2pNode coord = nodes.start(on(TestNodes.config("coordDual"), "::"));
    int cp = coord.udpAddress().getPort();
    // an IPv4-only peer: its IPv6 rendezvous entry is skipped, the IPv4 one registers
    P2pNode alice = nodes.startRegistered(peer("alice4", "127.0.0.1", "127.0.0.1:" + cp, "[::1]:" + cp));
    // a dual-stack peer registering over both families with the same coordinator
    P2pNode bob = nodes.startRegistered(peer("bobDual", "::", "127.0.0.1:" + cp, "[::1]:" + cp));

    JsonArray aliceCoords = await(P2pClient.create(alice.vertx()).status()).getJsonArray("coordinators");
    assertEquals(1, aliceCoords.size(), aliceCoords.encode());
    assertEquals("127.0.0.1:" + alice.udpAddress().getPort(), aliceCoords.getJsonObject(0).getString("observed"));
    // started once one registration is acknowledged: the other family's may still be under way
    JsonArray bobCoords = awaitObserved(bob, 2);
    assertEquals("127.0.0.1:" + bob.udpAddress().getPort(), bobCoords.getJsonObject(0).getString("observed"), bobCoords.encode());
    assertEquals("[::1]:" + bob.udpAddress().getPort(), bobCoords.getJsonObject(1).getString("observed"), bobCoords.encode());

    // over TCP too, from the dual-stack TCP listener to either family of the coordinator's
    if (!TestNodes.UNCONNECTED) awaitTcpRegistered(bob, 2);

    // the coordinator's own node, on "::", and the IPv4 peer
    JsonObject toCoord = TestNodes.connectEventually(alice, "coordDual");
    assertEquals("127.0.0.1:" + cp, toCoord.getString("remote"));
    echo(coord, alice, "direct");
    assertEquals("127.0.0.1:" + alice.udpAddress().getPort(), peerEntry(coord, "alice4").getString("remote"));

    // the IPv4 peer and the dual-stack one: over IPv4, the only family both have
    JsonObject toBob = TestNodes.connectEventually(alice, "bobDual");
    assertTrue(toBob.getString("remote").endsWith(":" + bob.udpAddress().getPort()), toBob.encode());
    assertFalse(toBob.getString("remote").contains(":ffff:"), toBob.encode());
    echo(bob, alice, toBob.getString("path"));
    String aliceSeen = peerEntry(bob, "alice4").getString("remote");
    assertTrue(aliceSeen.endsWith(":" + alice.udpAddress().getPort()) && !aliceSeen.startsWith("["), aliceSeen);
  }

  /** Waits until {@code n}'s first {@code entries} coordinator entries have an observed address (at most 10 s); returns them all. */
  private static JsonArray awaitObserved(P2pNode n, int entries) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    JsonArray cs;
    do {
      cs = await(P2pClient.create(n.vertx()).status()).getJsonArray("coordinators");
      if (cs.size() >= entries && cs.stream().limit(entries).map(JsonObject.class::cast).allMatch(c -> c.getString("observed") != null)) return cs;
      await(io.vertx.core.Future.<Void>future(p -> n.vertx().setTimer(20, t -> p.complete())));
    } while (System.nanoTime() < deadline);
    fail("not registered with " + entries + " coordinator entries: " + cs.encode());
    return cs;
  }

  /** Waits until {@code n} is registered over TCP with {@code links} coordinators (at most 10 s). */
  private static void awaitTcpRegistered(P2pNode n, int links) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    JsonArray cs;
    do {
      cs = await(P2pClient.create(n.vertx()).status()).getJsonArray("coordinators");
      long tcp = cs.stream().map(JsonObject.class::cast).filter(c -> c.getJsonObject("tcp") != null
        && Boolean.TRUE.equals(c.getJsonObject("tcp").getBoolean("registered"))).count();
      if (tcp == links) return;
      await(io.vertx.core.Future.<Void>future(p -> n.vertx().setTimer(20, t -> p.complete())));
    } while (System.nanoTime() < deadline);
    fail("not registered over TCP with " + links + " coordinators: " + cs.encode());
  }

  private static JsonObject peerEntry(P2pNode on, String peerId) {
    JsonArray peers = await(P2pClient.create(on.vertx()).peers()).getJsonArray("peers");
    return peers.stream().map(JsonObject.class::cast).filter(p -> peerId.equals(p.getString("peerId"))).findFirst()
      .orElseThrow(() -> new AssertionError(peerId + " not in " + peers.encode()));
  }
}
