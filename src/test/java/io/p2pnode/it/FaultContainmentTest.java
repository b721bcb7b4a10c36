package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An Error thrown inside a session's code (here: while it hands a message to the event bus) is
 * contained to that session: counted in {@code p2p.status}, the session closed and reported down
 * with the reason, while the node's other sessions and new sessions keep working.
 */
class FaultContainmentTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static P2pNode carol;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    JsonObject slow = new JsonObject().put("intervalMs", 1000).put("timeoutMs", 10_000);
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("heartbeat", slow));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("heartbeat", slow));
    carol = nodes.startRegistered(TestNodes.peer("carol", coord).put("heartbeat", slow));
    // a bug on bob's delivery path, for one address: thrown on the session's thread while it delivers
    bob.vertx().eventBus().addOutboundInterceptor(dc -> {
      if ("boom".equals(dc.message().address())) throw new StackOverflowError("injected");
      dc.next();
    });
    bob.vertx().eventBus().<Object>localConsumer("ok", m -> m.reply("fine"));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  @Test
  void anErrorInOneSessionClosesOnlyThatSession() {
    P2pClient fromAlice = P2pClient.create(alice.vertx());
    P2pClient fromCarol = P2pClient.create(carol.vertx());
    assertEquals("fine", await(fromCarol.request("bob", "ok", "hi")));
    assertEquals("fine", await(fromAlice.request("bob", "ok", "hi")));
    Promise<JsonObject> down = Promise.promise();
    bob.vertx().eventBus().<JsonObject>localConsumer(Addresses.PEER_DOWN, m -> {
      if ("alice".equals(m.body().getString("peerId"))) down.tryComplete(m.body());
    });

    Future<Object> boom = fromAlice.request("bob", "boom", "hi");
    JsonObject event = await(down.future());
    assertTrue(event.getString("reason").startsWith("fault: java.lang.StackOverflowError"), event.encode());
    Boolean failed = await(boom.transform(ar -> Future.succeededFuture(ar.failed())));
    assertTrue(failed, "the message that hit the bug fails");
    JsonObject status = await(P2pClient.create(bob.vertx()).status());
    assertEquals(1, status.getLong("faults"), status.encode());

    // bob's other session and the coordinator were not touched; alice gets a new session on demand
    assertEquals("fine", await(fromCarol.request("bob", "ok", "still there?")));
    assertEquals("fine", await(fromAlice.request("bob", "ok", "again")));
    assertEquals(0, await(P2pClient.create(carol.vertx()).status()).getLong("faults"));
  }
}
