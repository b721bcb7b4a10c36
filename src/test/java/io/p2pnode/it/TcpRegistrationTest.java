package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * TCP beside UDP on loopback (no root needed): peers keep a proven TCP registration connection
 * to their coordinator, the coordinator observes its endpoint, and with both transports working
 * sessions stay on UDP without opening a TCP connection. (Paths over TCP need UDP blocked:
 * {@code lab.TcpLabTest}.)
 */
class TcpRegistrationTest {

  @Test
  void peersRegisterOverTcpTooAndStayOnUdp() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      P2pNode alice = nodes.startRegistered(TestNodes.peer("alice", coord));
      P2pNode bob = nodes.startRegistered(TestNodes.peer("bob", coord));
      JsonObject aliceTcp = awaitTcpRegistered(alice);
      awaitTcpRegistered(bob);
      JsonObject aliceStatus = await(P2pClient.create(alice.vertx()).status());
      int aliceTcpPort = Integer.parseInt(aliceStatus.getJsonObject("tcp").getString("listen").replaceAll(".*:", ""));
      assertEquals("127.0.0.1:" + aliceTcpPort, aliceTcp.getString("observed"),
        "the coordinator saw the connection come from alice's listening port: " + aliceStatus.encode());
      JsonObject coordTcp = await(P2pClient.create(coord.vertx()).status()).getJsonObject("tcp");
      assertTrue(coordTcp.getLong("accepted") >= 2, coordTcp.encode());

      JsonObject c = TestNodes.connectEventually(alice, "bob");
      assertEquals("direct", c.getString("path"), c.encode());
      JsonObject peer = await(P2pClient.create(alice.vertx()).peers()).getJsonArray("peers").getJsonObject(0);
      JsonObject tcp = peer.getJsonObject("transports").getJsonObject("tcp");
      assertEquals("not needed", tcp.getString("outcome"), peer.encode());
      assertEquals(1, tcp.getInteger("candidates"), "bob's TCP endpoint came with the introduction: " + peer.encode());
      assertEquals("won", peer.getJsonObject("transports").getJsonObject("udp").getString("outcome"), peer.encode());
    }
  }

  @Test
  void withTcpOffNoConnectionIsMade() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      JsonObject cfg = TestNodes.peer("alice", coord);
      cfg.getJsonObject("listen").put("tcp", false);
      P2pNode alice = nodes.startRegistered(cfg);
      JsonObject st = await(P2pClient.create(alice.vertx()).status());
      assertNull(st.getValue("tcp"), st.encode());
      assertNull(st.getJsonArray("coordinators").getJsonObject(0).getValue("tcp"), st.encode());
      assertEquals(0L, await(P2pClient.create(coord.vertx()).status()).getJsonObject("tcp").getLong("accepted"));
    }
  }

  /** Waits until {@code node}'s first coordinator acknowledged its TCP registration; returns that entry's {@code tcp}. */
  static JsonObject awaitTcpRegistered(P2pNode node) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    JsonObject tcp = null;
    while (System.nanoTime() < deadline) {
      tcp = await(P2pClient.create(node.vertx()).status()).getJsonArray("coordinators").getJsonObject(0).getJsonObject("tcp");
      if (tcp != null && tcp.getBoolean("registered")) return tcp;
      TimeUnit.MILLISECONDS.sleep(20); // polling another node's state: no event to wait on
    }
    throw new AssertionError("no TCP registration: " + tcp);
  }
}
