package io.p2pnode.bus;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

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
    receivers.add(nodes.startRegistered(TestNodes.peer("dave", coord)));
    receivers.add(nodes.startRegistered(TestNodes.peer("erin", coord)));
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
    TestNodes.awaitSize(alice.vertx(), got, BURST);
    assertEquals(expected(), List.copyOf(got));
  }

  /**
   * The API is called on the senders' own threads (DESIGN §9: one crossing to the session):
   * three senders at once, an event loop, a worker and a thread Vert.x does not know, each
   * pipelining 2 000 fire-and-forget sends and one request at a peer not yet connected. Every
   * message arrives once, and each sender's in the order it sent them.
   */
  @Test
  void fromThreeKindsOfThreadAtOnceEachSendersOrderHolds() throws Exception {
    int n = 2_000;
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    receivers.get(2).vertx().eventBus().<String>localConsumer("app.burst", m -> got.add(m.body()));
    DeliveryOptions o = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "dave").addHeader(Addresses.HEADER_ADDRESS, "app.burst");
    Supplier<Future<?>>[] senders = new Supplier[3];
    for (int k = 0; k < 3; k++) {
      String who = "s" + k + "-";
      senders[k] = () -> {
        for (int i = 0; i < n - 1; i++) alice.vertx().eventBus().send(Addresses.SEND, who + i, o);
        return alice.vertx().eventBus().request(Addresses.SEND, who + (n - 1), o);
      };
    }
    Context loop = alice.vertx().getOrCreateContext();
    Promise<Object> onLoop = Promise.promise();
    loop.runOnContext(v -> senders[0].get().onComplete(ar -> onLoop.handle(ar.map(x -> (Object) x))));
    Future<Object> onWorker = alice.vertx().executeBlocking(() -> senders[1].get()).compose(f -> f.map(x -> (Object) x));
    CompletableFuture<Future<?>> plain = new CompletableFuture<>();
    Thread t = new Thread(() -> plain.complete(senders[2].get()), "not-vertx");
    t.start();
    await(Future.all(onLoop.future(), onWorker, Future.fromCompletionStage(plain).compose(f -> f.map(x -> (Object) x))));
    TestNodes.awaitSize(alice.vertx(), got, 3 * n);
    assertEquals(3 * n, got.size(), "every message arrived once");
    for (int k = 0; k < 3; k++) {
      String who = "s" + k + "-";
      List<String> mine = got.stream().filter(m -> m.startsWith(who)).toList();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) sent.add(who + i);
      assertEquals(sent, mine, "sender " + k + "'s order");
    }
  }

  /** A publish to {@code p2p.send} is taken like a send: it arrives, in order with the sender's other messages. */
  @Test
  void aPublishToTheApiArrivesInOrderWithTheSendersRequests() {
    List<String> got = collect(receivers.get(3));
    DeliveryOptions o = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "erin").addHeader(Addresses.HEADER_ADDRESS, "app.burst");
    alice.vertx().eventBus().publish(Addresses.SEND, "published", o);
    await(alice.vertx().eventBus().request(Addresses.SEND, "requested", o));
    TestNodes.awaitSize(alice.vertx(), got, 2);
    assertEquals(List.of("published", "requested"), List.copyOf(got));
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
    TestNodes.awaitSize(alice.vertx(), got, BURST);
    assertEquals(expected(), List.copyOf(got));
  }
}
