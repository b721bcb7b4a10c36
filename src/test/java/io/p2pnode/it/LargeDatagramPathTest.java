package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Path MTU probing on loopback: a direct path with connected sockets settles on the loopback
 * interface's datagram size and then carries large and small messages, in order, packed into
 * large datagrams; a peer that reads only 1 200 B keeps the path at 1 200 B.
 */
@ExtendWith(VertxExtension.class)
class LargeDatagramPathTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static P2pNode carol;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("session", new JsonObject().put("maxMessageBytes", 1 << 20)));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("session", new JsonObject().put("maxMessageBytes", 1 << 20)));
    JsonObject c = TestNodes.peer("carol", coord);
    c.getJsonObject("listen").put("maxPathDatagramBytes", 1200);
    carol = nodes.startRegistered(c);
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  /** The loopback interface's largest UDP payload, as the node computes it. */
  static int loopbackMax() throws Exception {
    return Math.min(65_507, NetworkInterface.getByInetAddress(InetAddress.getByName("127.0.0.1")).getMTU() - 28);
  }

  /** {@code from}'s {@code pathMtu} entry for {@code peer} once {@code settled} holds for it (polled). */
  static Future<JsonObject> pathMtuWhen(P2pNode from, String peer, java.util.function.Predicate<JsonObject> settled) {
    P2pClient api = P2pClient.create(from.vertx());
    Promise<JsonObject> done = Promise.promise();
    api.connect(peer).onFailure(done::tryFail).onSuccess(x -> from.vertx().setPeriodic(20, id -> api.peers().onSuccess(p -> {
      JsonObject e = p.getJsonArray("peers").stream().map(JsonObject.class::cast)
        .filter(x2 -> x2.getString("peerId").equals(peer)).findFirst().orElseThrow();
      JsonObject m = e.getJsonObject("transport").getJsonObject("pathMtu");
      if (settled.test(m)) {
        from.vertx().cancelTimer(id);
        done.tryComplete(m);
      }
    })));
    return done.future();
  }

  @Test
  void aLoopbackPathCarriesLargeDatagramsAndEverythingArrivesInOrder(VertxTestContext ctx) throws Exception {
    int expected = TestNodes.UNCONNECTED ? 1200 : loopbackMax();
    int n = 2_000;
    List<Object> got = new ArrayList<>();
    bob.vertx().eventBus().<Object>localConsumer("mixed", m -> {
      got.add(m.body());
      if (got.size() == n + 1) ctx.verify(() -> {
        for (int i = 0; i < n; i++) {
          if (i == n / 2) continue;
          assertEquals("m" + i, got.get(i), "message " + i + " in order");
        }
        assertEquals(60_000, ((Buffer) got.get(n / 2)).length());
        assertEquals("end", got.get(n));
        ctx.completeNow();
      });
    });
    P2pClient api = P2pClient.create(alice.vertx());
    pathMtuWhen(alice, "bob", m -> TestNodes.UNCONNECTED ? "DISABLED".equals(m.getString("state"))
      : "SEARCH_COMPLETE".equals(m.getString("state")) && m.getInteger("bytes") == expected).onComplete(ctx.succeeding(m -> ctx.verify(() -> {
      assertEquals(expected, m.getInteger("bytes"), "path MTU " + m);
      for (int i = 0; i < n; i++) {
        if (i == n / 2) api.send("bob", "mixed", Buffer.buffer(new byte[60_000]));
        else api.send("bob", "mixed", "m" + i);
      }
      api.send("bob", "mixed", "end");
    })));
  }

  @Test
  void aPeerThatReadsOnlyTheBaseSizeKeepsThePathAtIt(VertxTestContext ctx) {
    pathMtuWhen(alice, "carol", m -> TestNodes.UNCONNECTED ? "DISABLED".equals(m.getString("state"))
      : "SEARCH_COMPLETE".equals(m.getString("state")) && m.getInteger("peerMax") != null).onComplete(ctx.succeeding(m -> ctx.verify(() -> {
      assertEquals(1200, m.getInteger("bytes"), "path MTU " + m);
      if (!TestNodes.UNCONNECTED) assertEquals(1200, m.getInteger("peerMax"), "carol reads 1200 B: " + m);
      ctx.completeNow();
    })));
  }

  @Test
  void messagesNearTheLargestArriveOnALargeDatagramPath(VertxTestContext ctx) {
    P2pClient api = P2pClient.create(alice.vertx());
    bob.vertx().eventBus().<Buffer>localConsumer("near-max", m -> m.reply(String.valueOf(m.body().length())));
    Buffer body = Buffer.buffer(new byte[(1 << 20) - 200]);
    pathMtuWhen(alice, "bob", m -> TestNodes.UNCONNECTED ? "DISABLED".equals(m.getString("state"))
      : "SEARCH_COMPLETE".equals(m.getString("state")) && m.getInteger("bytes") > 1200)
      .compose(m -> api.<String>request("bob", "near-max", body).map(Integer::parseInt))
      .compose(n -> api.<String>request("bob", "near-max", body).map(n2 -> n + Integer.parseInt(n2))) // cut on the probed path, both
      .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
        assertEquals(2 * body.length(), n);
        ctx.completeNow();
      })));
  }
}
