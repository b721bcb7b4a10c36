package io.p2pnode.lab;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * TCP hole punching and TCP fallback in the real NAT lab, with UDP dropped by iptables on the NAT
 * routers ({@code cluster/natlab.sh blockudp}): peers register over their TCP connection to the
 * coordinator, punch over TCP (simultaneous open through both NATs), and relay over TCP when the
 * NATs are symmetric.
 */
@Tag("lab")
class TcpLabTest {

  /**
   * @param from    who asks for the connection
   * @param blocked the routers that drop UDP
   */
  @ParameterizedTest(name = "{0}: {1} -> {2} ends on {3}")
  @CsvSource({
    "cone,           alice, bob,   direct-tcp, p2plab-nata p2plab-natb",
    "public,         alice, bob,   direct-tcp, p2plab-nata",
    "public,         bob,   alice, direct-tcp, p2plab-nata",
    "both-symmetric, alice, bob,   relay,      p2plab-nata p2plab-natb"
  })
  void udpBlockedEndsOnTcpAndMessagesArrive(String scenario, String from, String to, String path, String blocked) throws Exception {
    NatLabTest.requireLab();
    try (NatLab lab = new NatLab()) {
      lab.up(scenario, new JsonObject(), blocked.split(" "));
      try {
        awaitTcpRegistered(from);
        awaitTcpRegistered(to);
        JsonObject c = NatLab.connect(from, to);
        assertEquals(path, c.getString("path"), c.encode());
        NatLab.delivers(from, to, "over tcp from " + from);
        NatLab.delivers(to, from, "over tcp back to " + from);
        JsonObject peer = peerEntry(from, to);
        assertEquals(path, peer.getString("path"), peer.encode());
        JsonObject tcp = peer.getJsonObject("transports").getJsonObject("tcp");
        assertTrue(tcp.getBoolean("tried"), peer.encode());
        if (path.equals("direct-tcp")) {
          assertEquals("won", tcp.getString("outcome"), peer.encode());
          assertTrue(peer.getString("candidate").startsWith("direct-tcp@"), peer.encode());
        }
        if (scenario.equals("public") && from.equals("bob")) {
          // reverse connection: the public side's SYN passes alice's NAT only once alice's own connect
          // opened it, so alice (asked by the coordinator's introduction) connected out to bob; the
          // connection then came out of bob's accept() or, when the SYNs crossed, both connect()s
          JsonObject aliceTcp = peerEntry("alice", "bob").getJsonObject("transports").getJsonObject("tcp");
          assertTrue(connections(aliceTcp).stream().anyMatch(x -> x.getString("to").equals("203.0.113.20:7700")
            && x.getString("direction").equals("connect")
            && (List.of("won", "connected").contains(x.getString("state")) || x.getString("detail").startsWith("in_use"))),
            aliceTcp.encode());
          assertTrue(connections(tcp).stream().anyMatch(x -> x.getString("state").equals("won")), tcp.encode());
        }
        if (scenario.equals("cone")) {
          // bob leaves (BYE over the TCP path, registration connection closed): no socket on the
          // shared port is left in CLOSE_WAIT or TIME_WAIT on either side
          lab.nodes.get(2).terminate();
          assertEquals(0, lab.nodes.get(2).awaitExit(), lab.nodes.get(2).output());
          awaitNoPeers(from);
          for (String ns : List.of("p2plab-alice", "p2plab-bob")) {
            for (String state : List.of("close-wait", "time-wait")) {
              String ss = NatLab.run(List.of("ip", "netns", "exec", ns, "ss", "-tanH", "state", state, "( sport = :7700 )"), 10).out();
              assertEquals("", ss.trim(), state + " sockets in " + ns + ": " + ss);
            }
          }
        }
        if (path.equals("relay")) {
          assertTrue(peer.getJsonObject("transports").getJsonObject("relay").getString("via").endsWith(" over tcp"), peer.encode());
          assertTrue(connections(tcp).stream().noneMatch(x -> x.getString("state").equals("won")), tcp.encode());
        }
      } catch (AssertionError | RuntimeException e) {
        lab.nodes.forEach(n -> System.out.println("---- node output\n" + n.output()));
        throw e;
      }
    }
  }

  /**
   * Alice registered with coordinator c1, bob with c2 (clustered), UDP blocked at both NATs: the
   * introduction crosses the coordinators and reaches each peer over its TCP registration
   * connection; cone NATs punch over TCP, symmetric ones relay over TCP through both coordinators.
   */
  @ParameterizedTest(name = "clustered {0} -> {1}")
  @CsvSource({"cone, direct-tcp", "both-symmetric, relay"})
  void clusteredCoordinatorsWithUdpBlocked(String scenario, String path) throws Exception {
    NatLabTest.requireLab();
    try (NatLab lab = new NatLab()) {
      lab.upClustered(scenario, "p2plab-nata", "p2plab-natb");
      try {
        awaitTcpRegistered("alice");
        awaitTcpRegistered("bob");
        JsonObject c = NatLab.connect("alice", "bob");
        assertEquals(path, c.getString("path"), c.encode());
        NatLab.delivers("alice", "bob", "across coordinators over tcp");
        NatLab.delivers("bob", "alice", "back across coordinators over tcp");
      } catch (AssertionError | RuntimeException e) {
        lab.nodes.forEach(n -> System.out.println("---- node output\n" + n.output()));
        throw e;
      }
    }
  }

  /**
   * With UDP blocked, a peer reaches the coordinator's own node over the connection it registered
   * on (a second connection between the same two ports cannot exist): both sessions share it
   * with the registration, and neither closes it.
   */
  @Test
  void aPeerReachesItsCoordinatorsOwnNodeOverItsRegistrationConnection() throws Exception {
    NatLabTest.requireLab();
    try (NatLab lab = new NatLab()) {
      lab.up("cone", new JsonObject(), "p2plab-nata", "p2plab-natb");
      awaitTcpRegistered("alice");
      JsonObject c = NatLab.connect("alice", "coord");
      assertEquals("direct-tcp", c.getString("path"), c.encode());
      NatLab.delivers("alice", "coord", "to the coordinator's own node");
      NatLab.delivers("coord", "alice", "back from the coordinator's node");
      JsonObject tcp = peerEntry("alice", "coord").getJsonObject("transports").getJsonObject("tcp");
      assertTrue(connections(tcp).stream().anyMatch(x -> x.getBoolean("shared") && x.getString("state").equals("won")), tcp.encode());
      awaitTcpRegistered("alice"); // the registration goes on over the same connection
    }
  }

  /**
   * Both transports work (nothing blocked) and TCP punching starts at once: the session may well
   * ride TCP first, but ends on UDP, and the TCP connections are closed.
   */
  @Test
  void udpIsPreferredWhenBothWork() throws Exception {
    NatLabTest.requireLab();
    try (NatLab lab = new NatLab()) {
      lab.up("cone", new JsonObject().put("session", new JsonObject().put("tcpAfterMs", 0)));
      awaitTcpRegistered("alice");
      awaitTcpRegistered("bob");
      NatLab.connect("alice", "bob");
      NatLab.delivers("alice", "bob", "either way");
      JsonObject peer = awaitPath("alice", "bob", "direct");
      JsonObject t = peer.getJsonObject("transports");
      assertEquals("won", t.getJsonObject("udp").getString("outcome"), peer.encode());
      assertTrue(t.getJsonObject("tcp").getBoolean("tried"), peer.encode());
      assertTrue(connections(t.getJsonObject("tcp")).stream().noneMatch(x -> List.of("connected", "accepted", "won")
        .contains(x.getString("state"))), "every TCP connection closed: " + peer.encode());
    }
  }

  /**
   * A peer that stops (SIGSTOP: its kernel still acknowledges TCP, so TCP keepalive would take
   * hours) is declared down by the application heartbeat within {@code heartbeat.timeoutMs}; no
   * socket of either node is left in CLOSE_WAIT.
   */
  @Test
  void heartbeatsDetectAStoppedPeerOnATcpPath() throws Exception {
    NatLabTest.requireLab();
    try (NatLab lab = new NatLab()) {
      lab.up("cone", new JsonObject().put("heartbeat", new JsonObject().put("intervalMs", 500).put("timeoutMs", 2000)),
        "p2plab-nata", "p2plab-natb");
      awaitTcpRegistered("alice");
      awaitTcpRegistered("bob");
      assertEquals("direct-tcp", NatLab.connect("alice", "bob").getString("path"));
      var bob = lab.nodes.get(2);
      long stoppedAt = System.nanoTime();
      NatLab.run(List.of("kill", "-STOP", Long.toString(bob.pid())), 10);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!lab.nodes.get(1).output().contains("session bob UP -> CLOSED") && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(100); // polling another process's log: no event to wait on
        }
        long tookMs = (System.nanoTime() - stoppedAt) / 1_000_000L;
        assertTrue(lab.nodes.get(1).output().contains("session bob UP -> CLOSED (no packet for"), lab.nodes.get(1).output());
        assertTrue(tookMs < 10_000, "down after " + tookMs + " ms");
      } finally {
        NatLab.run(List.of("kill", "-CONT", Long.toString(bob.pid())), 10);
      }
      String ss = NatLab.run(List.of("ip", "netns", "exec", "p2plab-alice", "ss", "-tanH", "state", "close-wait"), 10).out();
      assertEquals("", ss.trim(), "CLOSE_WAIT sockets at alice: " + ss);
    }
  }

  /** Waits until {@code node} has no session left (its peer said goodbye). */
  static void awaitNoPeers(String node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonObject peers;
    do {
      peers = new JsonObject(NatLab.cli(node, "peers").out());
    } while (!peers.getJsonArray("peers").isEmpty() && System.nanoTime() < deadline);
    assertTrue(peers.getJsonArray("peers").isEmpty(), peers.encode());
  }

  static JsonObject peerEntry(String node, String peer) throws Exception {
    NatLab.CliResult r = NatLab.cli(node, "peers");
    for (Object o : new JsonObject(r.out()).getJsonArray("peers")) {
      JsonObject p = (JsonObject) o;
      if (p.getString("peerId").equals(peer)) return p;
    }
    throw new AssertionError("no session with " + peer + " at " + node + ": " + r.out());
  }

  /** Waits until {@code node}'s session with {@code peer} is on {@code path} (an upgrade may follow the first lock). */
  static JsonObject awaitPath(String node, String peer, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject p;
    do {
      p = peerEntry(node, peer);
    } while (!path.equals(p.getString("path")) && System.nanoTime() < deadline);
    assertEquals(path, p.getString("path"), p.encode());
    return p;
  }

  static List<JsonObject> connections(JsonObject tcp) {
    JsonArray a = tcp.getJsonArray("connections");
    return a.stream().map(JsonObject.class::cast).toList();
  }

  /** Waits until {@code node} is registered with the coordinator over its TCP connection. */
  static void awaitTcpRegistered(String node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonObject st;
    do {
      st = new JsonObject(NatLab.cli(node, "status").out());
      JsonObject tcp = st.getJsonArray("coordinators").getJsonObject(0).getJsonObject("tcp");
      if (tcp != null && tcp.getBoolean("registered")) return;
    } while (System.nanoTime() < deadline);
    throw new AssertionError(node + " never registered over TCP: " + st.encode());
  }
}
