package io.p2pnode.bus;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A pipelined burst at a peer this node has never talked to, on loopback: through the in-JVM API
 * and through the TCP bridge (written back to back, no reply awaited in between), every message
 * arrives once and in the order sent, from the first one.
 */
class BurstBeforeConnectTest {
  private static final int BURST = 64;
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static int aliceBridge;
  static final List<P2pNode> receivers = new ArrayList<>();

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    aliceBridge = TestNodes.freeTcpPort();
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("bridge", new JsonObject().put("host", "127.0.0.1")
      .put("port", aliceBridge).put("permitted", new JsonArray().add("app\\..*"))));
    receivers.add(nodes.startRegistered(TestNodes.peer("bob", coord)));
    receivers.add(nodes.startRegistered(TestNodes.peer("carol", coord)));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  /** Collects what {@code node} receives at {@code app.burst}, in arrival order. */
  private static List<String> collect(P2pNode node) {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    node.vertx().eventBus().<String>localConsumer("app.burst", m -> got.add(m.body()));
    return got;
  }

  private static List<String> expected() {
    List<String> e = new ArrayList<>();
    for (int i = 0; i < BURST; i++) e.add("m" + i);
    return e;
  }

  @Test
  void throughTheEventBusApi() {
    List<String> got = collect(receivers.get(0));
    DeliveryOptions o = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, "app.burst");
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < BURST; i++) sent.add(alice.vertx().eventBus().request(Addresses.SEND, "m" + i, o));
    await(Future.all(sent));
    assertEquals(expected(), List.copyOf(got));
  }

  @Test
  void throughTheBridge() throws Exception {
    List<String> got = collect(receivers.get(1));
    try (BridgeTest.RawClient c = new BridgeTest.RawClient(aliceBridge)) {
      for (int i = 0; i < BURST; i++) {
        c.write("{\"type\":\"send\",\"address\":\"p2p.send\",\"replyAddress\":\"r" + i + "\",\"headers\":{\"to\":\"carol\","
          + "\"address\":\"app.burst\"},\"body\":\"m" + i + "\"}");
      }
      for (int i = 0; i < BURST; i++) {
        JsonObject reply = new JsonObject(c.read());
        assertFalse("err".equals(reply.getString("type")), reply.encode());
      }
    }
    assertEquals(expected(), List.copyOf(got));
  }
}
