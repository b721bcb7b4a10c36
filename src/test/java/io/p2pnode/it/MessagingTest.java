package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Two peers and a coordinator on loopback: connect, send, request and every failure code of
 * DESIGN §4 where it applies.
 */
@ExtendWith(VertxExtension.class)
class MessagingTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static P2pClient aliceApi;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("session", new JsonObject().put("connectTimeoutMs", 1500)
      .put("maxMessageBytes", 256 * 1024)));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("session", new JsonObject().put("maxMessageBytes", 64 * 1024)));
    aliceApi = P2pClient.create(alice.vertx());
    // consumers on bob
    bob.vertx().eventBus().<Object>localConsumer("echo", m -> m.reply(m.body()));
    bob.vertx().eventBus().<Object>localConsumer("who", m -> m.reply(m.headers().get("from")));
    bob.vertx().eventBus().<Object>localConsumer("teapot", m -> m.fail(418, "I'm a teapot"));
    bob.vertx().eventBus().<Object>localConsumer("silent", m -> { });
    bob.vertx().eventBus().<Object>localConsumer("big", m -> m.reply("x".repeat(100_000)));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static int code(Throwable t) {
    assertInstanceOf(ReplyException.class, t, String.valueOf(t));
    return ((ReplyException) t).failureCode();
  }

  @Test
  void connectReportsPathRemoteAndRtt(VertxTestContext ctx) {
    aliceApi.connect("bob").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals("bob", r.getString("peerId"));
      assertEquals("direct", r.getString("path"));
      assertEquals("127.0.0.1:" + bob.udpAddress().getPort(), r.getString("remote"));
      assertNotNull(r.getDouble("rttMs"));
      ctx.completeNow();
    })));
  }

  @Test
  void sendArrivesAtAddressWithFromHeaderInEveryBodyType(VertxTestContext ctx) {
    var got = ctx.checkpoint(3);
    var consumer = bob.vertx().eventBus().<Object>localConsumer("types", m -> ctx.verify(() -> {
      assertEquals("alice", m.headers().get(Addresses.HEADER_FROM));
      Object b = m.body();
      assertTrue(b.equals("text") || b.equals(Buffer.buffer(new byte[] {1, 2, 3}))
        || b.equals(new JsonObject().put("k", new JsonArray().add(1))), "body " + b);
      got.flag();
    }));
    consumer.completion().onComplete(ctx.succeeding(v -> {
      aliceApi.send("bob", "types", "text").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals("bob", r.getString("to"));
        assertEquals("direct", r.getString("path"));
      })));
      aliceApi.send("bob", "types", Buffer.buffer(new byte[] {1, 2, 3})).onComplete(ctx.succeedingThenComplete());
      aliceApi.send("bob", "types", new JsonObject().put("k", new JsonArray().add(1))).onComplete(ctx.succeedingThenComplete());
    }));
  }

  @Test
  void sendWithoutAddressGoesToInbound(VertxTestContext ctx) {
    // unregistered once the message was handled: the sender's confirmation can overtake the handler's turn
    @SuppressWarnings("unchecked")
    io.vertx.core.eventbus.MessageConsumer<String>[] self = new io.vertx.core.eventbus.MessageConsumer[1];
    self[0] = bob.vertx().eventBus().<String>localConsumer(Addresses.INBOUND, m -> ctx.verify(() -> {
      assertEquals("default", m.body());
      self[0].unregister().onComplete(v -> ctx.completeNow());
    }));
    self[0].completion().onComplete(ctx.succeeding(v -> alice.vertx().eventBus()
      .request(Addresses.SEND, "default", new DeliveryOptions().addHeader("to", "bob"))
      .onComplete(ctx.succeeding(r -> { }))));
  }

  @Test
  void requestReturnsRemoteReply(VertxTestContext ctx) {
    aliceApi.<JsonObject>request("bob", "echo", new JsonObject().put("n", 7)).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(7, r.getInteger("n"));
      aliceApi.<String>request("bob", "who", "?").onComplete(ctx.succeeding(who -> ctx.verify(() -> {
        assertEquals("alice", who);
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void remoteFailureCodePassesThrough(VertxTestContext ctx) {
    aliceApi.request("bob", "teapot", "tea").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(418, code(e));
      assertTrue(e.getMessage().contains("teapot"));
      ctx.completeNow();
    })));
  }

  /**
   * A {@code Buffer} handed over ({@link Addresses#CODEC_HAND_OVER}) arrives intact, and the sender's
   * thread does not copy it on the way to the node as Vert.x's own codec does (measured as bytes
   * the thread allocated per send); a body that does not suit the codec gets 400.
   */
  @Test
  void aHandedOverBufferArrivesWithoutTheEventBusCopy(VertxTestContext ctx) {
    int size = 60_000;
    int sends = 20;
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) bytes[i] = (byte) (i * 31 + 7);
    Buffer body = Buffer.buffer(bytes);
    int[] intact = {0};
    int[] received = {0};
    io.vertx.core.Promise<Void> arrived = io.vertx.core.Promise.promise();
    var consumer = bob.vertx().eventBus().<Buffer>localConsumer("handed", m -> {
      if (m.body().equals(body)) intact[0]++;
      if (++received[0] == 3 * sends) arrived.complete();
    });
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long[] allocated = new long[2]; // copying codec, hand-over
    // from this (non-Vert.x) thread: the API takes each message here, the session runs on its own loop,
    // so what this thread allocates is the event bus's share, and the codec's copy if there is one
    java.util.List<io.vertx.core.Future<JsonObject>> fs = new java.util.ArrayList<>();
    for (int i = 0; i < sends; i++) fs.add(aliceApi.handOver("bob", "handed", body)); // warm-up
    await(io.vertx.core.Future.all(fs));
    fs.clear();
    for (int mode = 0; mode < 2; mode++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < sends; i++) fs.add(mode == 0 ? aliceApi.send("bob", "handed", body) : aliceApi.handOver("bob", "handed", body));
      allocated[mode] = threads.getCurrentThreadAllocatedBytes() - before;
    }
    io.vertx.core.Future<Void> done = io.vertx.core.Future.all(fs).mapEmpty();
    io.vertx.core.Future.all(done, arrived.future()).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(3 * sends, intact[0], "every body arrived intact");
      assertTrue(allocated[0] >= (long) sends * size, "the event bus's codec copies each body: " + allocated[0] + " B");
      assertTrue(allocated[1] < (long) sends * size / 4, "handed over, not copied: " + allocated[1] + " B");
      consumer.unregister();
      alice.vertx().eventBus().request(Addresses.SEND, "not a buffer", new DeliveryOptions().addHeader("to", "bob")
        .setCodecName(Addresses.CODEC_HAND_OVER)).onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals(400, code(e));
          assertTrue(e.getMessage().startsWith("body:"), e.getMessage());
          ctx.completeNow();
        })));
    })));
  }

  @Test
  void badRequestsGet400NamingTheField(VertxTestContext ctx) {
    var eb = alice.vertx().eventBus();
    var cp = ctx.checkpoint(5);
    eb.request(Addresses.SEND, "x").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      assertTrue(e.getMessage().startsWith("to:"), e.getMessage());
      cp.flag();
    })));
    eb.request(Addresses.SEND, "x", new DeliveryOptions().addHeader("to", "bob").addHeader("timeoutMs", "soon"))
      .onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(400, code(e));
        assertTrue(e.getMessage().startsWith("timeoutMs:"), e.getMessage());
        cp.flag();
      })));
    eb.request(Addresses.SEND, 42, new DeliveryOptions().addHeader("to", "bob")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      assertTrue(e.getMessage().startsWith("body:"), e.getMessage());
      cp.flag();
    })));
    eb.request(Addresses.CONNECT, "bob").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      assertTrue(e.getMessage().startsWith("peerId:"), e.getMessage());
      cp.flag();
    })));
    eb.request(Addresses.SEND, "x", new DeliveryOptions().addHeader("to", "not a peer!")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      cp.flag();
    })));
  }

  @Test
  void unknownPeerGets404(VertxTestContext ctx) {
    aliceApi.send("nobody", "x").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(404, code(e));
      assertTrue(e.getMessage().contains("nobody"), e.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void noConsumerAtRemoteAddressGets404(VertxTestContext ctx) {
    aliceApi.send("bob", "no.such.address", "x").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(404, code(e));
      aliceApi.request("bob", "no.such.address", "x").onComplete(ctx.failing(e2 -> ctx.verify(() -> {
        assertEquals(404, code(e2));
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void tooLargeGets413BothWays(VertxTestContext ctx) {
    // alice allows messages up to 256 KiB, bob up to 64 KiB (session.maxMessageBytes)
    aliceApi.send("bob", "echo", "y".repeat(300_000)).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(413, code(e));
      aliceApi.request("bob", "big", "give me a big reply").onComplete(ctx.failing(e2 -> ctx.verify(() -> {
        assertEquals(413, code(e2));
        assertTrue(e2.getMessage().contains("reply"), e2.getMessage());
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void remoteTimeoutGets504(VertxTestContext ctx) {
    alice.vertx().eventBus().request(Addresses.REQUEST, "anyone?",
        new DeliveryOptions().addHeader("to", "bob").addHeader("address", "silent").addHeader("timeoutMs", "300"))
      .onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(504, code(e));
        ctx.completeNow();
      })));
  }

  @Test
  void fullSendQueueGets429(VertxTestContext ctx) {
    // carol allows 4 messages in flight; 4 unanswered requests fill the queue
    P2pNode carol = nodes.startRegistered(TestNodes.peer("carol", coord).put("session", new JsonObject().put("maxInFlight", 4)));
    DeliveryOptions slow = new DeliveryOptions().addHeader("to", "bob").addHeader("address", "silent").addHeader("timeoutMs", "2000");
    P2pClient.create(carol.vertx()).connect("bob").onComplete(ctx.succeeding(c -> {
      for (int i = 0; i < 4; i++) carol.vertx().eventBus().request(Addresses.REQUEST, "hold", slow);
      carol.vertx().setTimer(100, t -> carol.vertx().eventBus().request(Addresses.REQUEST, "one too many", slow)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertEquals(429, code(e));
          assertTrue(e.getMessage().contains("maxInFlight"), e.getMessage());
          ctx.completeNow();
        }))));
    }));
  }

  @Test
  void registeredButSilentPeerGets503(VertxTestContext ctx) {
    // a "ghost" registers from a plain socket, then never answers punches
    TestNodes.registerGhost(coord, "ghost");
    aliceApi.send("ghost", "boo").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(503, code(e));
      ctx.completeNow();
    })));
  }

  @Test
  void connectToSelfIs400(VertxTestContext ctx) {
    aliceApi.connect("alice").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      ctx.completeNow();
    })));
  }

  @Test
  void peersAndStatus(VertxTestContext ctx) {
    aliceApi.connect("bob").compose(c -> aliceApi.peers()).onComplete(ctx.succeeding(p -> ctx.verify(() -> {
      JsonObject bobEntry = p.getJsonArray("peers").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("peerId").equals("bob")).findFirst().orElseThrow();
      assertEquals("UP", bobEntry.getString("state"));
      assertEquals("direct", bobEntry.getString("path"));
      assertTrue(bobEntry.getString("candidate").startsWith("direct@127.0.0.1:"));
      aliceApi.status().onComplete(ctx.succeeding(s -> ctx.verify(() -> {
        assertEquals("alice", s.getString("peerId"));
        assertEquals("127.0.0.1:" + alice.udpAddress().getPort(), s.getString("listen"));
        assertEquals("127.0.0.1:" + alice.udpAddress().getPort(), s.getString("publicEndpoint"));
        assertEquals(1, s.getJsonArray("coordinators").size());
        assertTrue(s.getInteger("sessions") >= 1);
        assertNotNull(s.getString("natType"));
        assertNotNull(s.getJsonObject("cluster"));
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void reservedAddressesAre400(VertxTestContext ctx) {
    aliceApi.send("bob", Addresses.STATUS, "give me your status").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      assertTrue(e.getMessage().startsWith("address:"), e.getMessage());
      ctx.completeNow();
    })));
  }

  @Test
  void introductionFromAStrangerIsDroppedAndCounted(VertxTestContext ctx) throws Exception {
    long before = alice.counters().drops(io.p2pnode.transport.Drop.UNTRUSTED_CONTROL);
    try (var mallory = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      var intro = new io.p2pnode.wire.ControlMessage.Introduce(0, 42, io.p2pnode.wire.NatType.UNKNOWN, "bob", io.p2pnode.TestKeys.of("bob"),
        new java.net.InetSocketAddress("127.0.0.1", mallory.getLocalPort()), java.util.List.of());
      byte[] b = io.p2pnode.wire.ControlMessage.toBytes(intro);
      mallory.send(new java.net.DatagramPacket(b, b.length, alice.udpAddress()));
    }
    alice.vertx().setPeriodic(10, id -> {
      if (alice.counters().drops(io.p2pnode.transport.Drop.UNTRUSTED_CONTROL) > before) {
        alice.vertx().cancelTimer(id);
        ctx.completeNow();
      }
    });
  }

  @Test
  void largeMessagesAreFragmentedAndArriveWhole(VertxTestContext ctx) {
    byte[] big = new byte[60_000];
    new java.util.Random(3).nextBytes(big);
    aliceApi.<io.vertx.core.buffer.Buffer>request("bob", "echo", io.vertx.core.buffer.Buffer.buffer(big))
      .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        // the echo's reply is as large: it travels fragmented too
        assertEquals(io.vertx.core.buffer.Buffer.buffer(big), reply);
        var got = ctx.checkpoint();
        var c = bob.vertx().eventBus().<io.vertx.core.buffer.Buffer>localConsumer("files", m -> ctx.verify(() -> {
          assertEquals(io.vertx.core.buffer.Buffer.buffer(big), m.body());
          got.flag();
        }));
        c.completion().onComplete(ctx.succeeding(v -> aliceApi.send("bob", "files", io.vertx.core.buffer.Buffer.buffer(big))
          .onComplete(ctx.succeedingThenComplete())));
      })));
  }

  @Test
  void unreliableSendIsAcceptedAtOnce(VertxTestContext ctx) {
    var got = ctx.checkpoint(2);
    bob.vertx().eventBus().<String>localConsumer("voice", m -> got.flag());
    alice.vertx().eventBus().<JsonObject>request(Addresses.SEND, "frame",
        new DeliveryOptions().addHeader("to", "bob").addHeader("address", "voice").addHeader("reliable", "false"))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals(false, r.body().getBoolean("reliable"));
        got.flag();
      })));
  }

  @Test
  void unreliableRequestsAndBadReliableHeaderAre400(VertxTestContext ctx) {
    var cp = ctx.checkpoint(2);
    alice.vertx().eventBus().request(Addresses.REQUEST, "x",
        new DeliveryOptions().addHeader("to", "bob").addHeader("reliable", "false"))
      .onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(400, code(e));
        cp.flag();
      })));
    alice.vertx().eventBus().request(Addresses.SEND, "x",
        new DeliveryOptions().addHeader("to", "bob").addHeader("reliable", "maybe"))
      .onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertTrue(e.getMessage().startsWith("reliable:"), e.getMessage());
        cp.flag();
      })));
  }

  @Test
  void directSessionsUseAConnectedSocketUnlessConfiguredOff(VertxTestContext ctx) {
    aliceApi.connect("bob").onComplete(ctx.succeeding(c -> alice.vertx().setPeriodic(20, id -> aliceApi.peers().onSuccess(p -> {
      JsonObject bobEntry = p.getJsonArray("peers").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("peerId").equals("bob")).findFirst().orElseThrow();
      if (bobEntry.getBoolean("connectedSocket") == !TestNodes.UNCONNECTED) {
        alice.vertx().cancelTimer(id);
        ctx.completeNow();
      }
    }))));
  }
}
