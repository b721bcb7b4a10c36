package io.p2pnode.punch;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import static org.junit.jupiter.api.Assertions.*;

/**
 * Registration with a coordinator: the observed public endpoint shows in {@code p2p.status},
 * heartbeats refresh the registration past its TTL, and a peer that stops refreshing expires.
 */
@ExtendWith(VertxExtension.class)
class RegistrationTest {

  static Future<Void> delay(P2pNode n, long ms) {
    Promise<Void> p = Promise.promise();
    n.vertx().setTimer(ms, t -> p.complete());
    return p.future();
  }

  @Test
  void refreshedRegistrationOutlivesTtlAndSilentOneExpires(VertxTestContext ctx) throws Exception {
    TestNodes nodes = new TestNodes();
    // registrations live 600 ms; peers refresh every 200 ms (heartbeat.intervalMs)
    P2pNode coord = nodes.start(TestNodes.config("coord").put("coordinator", new JsonObject().put("registrationTtlMs", 600)));
    P2pNode alice = nodes.startRegistered(TestNodes.peer("alice", coord));
    P2pNode bob = nodes.startRegistered(TestNodes.peer("bob", coord));
    // "once" registers a single time from a plain socket and never refreshes
    TestNodes.registerGhost(coord, "once");
    P2pClient api = P2pClient.create(alice.vertx());
    api.status().onComplete(ctx.succeeding(st -> ctx.verify(() -> {
      assertEquals("127.0.0.1:" + alice.udpAddress().getPort(), st.getString("publicEndpoint"));
      JsonObject c = st.getJsonArray("coordinators").getJsonObject(0);
      assertEquals("127.0.0.1:" + coord.udpAddress().getPort(), c.getString("address"));
      assertTrue(c.getBoolean("registered"));
    })));
    delay(alice, 1500)
      .compose(v -> api.connect("bob"))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> assertEquals("bob", r.getString("peerId")))))
      .compose(v -> api.connect("once"))
      .onComplete(ar -> ctx.verify(() -> {
        assertTrue(ar.failed(), "expired registration must not be introduced");
        assertEquals(404, ((ReplyException) ar.cause()).failureCode());
        ctx.completeNow();
      }));
    try {
      assertTrue(ctx.awaitCompletion(20, java.util.concurrent.TimeUnit.SECONDS));
    } finally {
      nodes.close();
    }
  }
}
