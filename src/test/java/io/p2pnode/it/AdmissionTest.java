package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.crypto.Identity;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.PeerKey;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Closed networks end to end: a coordinator with {@code identity.networkKey} registers only
 * peers that prove the same key; one with {@code coordinator.allowedKeys} only the listed keys.
 * Everybody else is counted and stays unknown: nobody can reach them through it.
 */
class AdmissionTest {

  static JsonObject withNetworkKey(JsonObject config, String key) {
    return config.put("identity", new JsonObject().put("networkKey", key));
  }

  /** Waits until {@code coordinator} counted a drop of {@code reason}. */
  static void awaitDrop(P2pNode coordinator, Drop reason) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (coordinator.counters().drops(reason) == 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20); // polling a counter another thread increments
    }
    assertTrue(coordinator.counters().drops(reason) > 0, reason + " never counted");
  }

  @Test
  void onlyPeersWithTheNetworkKeyRegister() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(withNetworkKey(TestNodes.config("coord"), "s3cret"));
      P2pNode alice = nodes.startRegistered(withNetworkKey(TestNodes.peer("alice", coord), "s3cret"));
      P2pNode bob = nodes.startRegistered(withNetworkKey(TestNodes.peer("bob", coord), "s3cret"));
      P2pNode mallory = nodes.start(withNetworkKey(TestNodes.peer("mallory", coord), "guess"));
      awaitDrop(coord, Drop.AUTH_FAILED);
      JsonObject st = await(P2pClient.create(mallory.vertx()).status());
      assertFalse(st.getJsonArray("coordinators").getJsonObject(0).getBoolean("registered"), st.encode());
      assertEquals("direct", TestNodes.connectEventually(alice, "bob").getString("path"));
      ReplyException e = assertThrows(ReplyException.class, () -> await(P2pClient.create(alice.vertx()).connect("mallory")));
      assertEquals(404, e.failureCode(), "mallory is unknown to the network");
      assertThrows(ReplyException.class, () -> await(P2pClient.create(mallory.vertx()).connect("bob")));
    }
  }

  @Test
  void onlyListedKeysRegister(@TempDir Path dir) throws Exception {
    Path aliceKey = dir.resolve("alice.key");
    String alicePublic = PeerKey.of(Identity.loadOrCreate(aliceKey).publicKey()).base64();
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord")
        .put("coordinator", new JsonObject().put("allowedKeys", new JsonArray().add(alicePublic))));
      nodes.startRegistered(TestNodes.peer("alice", coord).put("identity", new JsonObject().put("keyFile", aliceKey.toString())));
      nodes.start(TestNodes.peer("bob", coord));
      awaitDrop(coord, Drop.NOT_ADMITTED);
      assertEquals(0, coord.counters().drops(Drop.AUTH_FAILED));
    }
  }
}
