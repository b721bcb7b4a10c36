package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.ConfigException;
import io.p2pnode.crypto.PeerIds;
import io.p2pnode.wire.PeerKey;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Node identities end to end: a node without {@code peerId} takes the self-certifying id of its
 * key, kept across restarts in a 0600 key file; peers reach it by that id; nobody can start
 * under another node's self-certifying id.
 */
class IdentityTest {

  @Test
  void selfCertifyingIdFromAKeyFileKeptAcrossRestarts(@TempDir Path dir) {
    Path keyFile = dir.resolve("keys").resolve("node.key");
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      JsonObject cfg = TestNodes.peer("ignored", coord).put("identity", new JsonObject().put("keyFile", keyFile.toString()));
      cfg.remove("peerId");
      P2pNode first = nodes.startRegistered(cfg.copy());
      String id = first.peerId();
      assertTrue(PeerIds.isSelfCertifying(id), id);
      JsonObject status = await(P2pClient.create(first.vertx()).status());
      assertTrue(PeerIds.matches(id, PeerKey.fromBase64(status.getString("key")).bytes()), status.encode());
      try {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      // a peer reaches it by its self-certifying id
      P2pNode other = nodes.startRegistered(TestNodes.peer("other", coord));
      assertEquals("direct", TestNodes.connectEventually(other, id).getString("path"));
      nodes.stop(first);
      // restarted from the same file: the same id
      P2pNode again = nodes.startRegistered(cfg.copy());
      assertEquals(id, again.peerId());
    }
  }

  @Test
  void nobodyStartsUnderAnotherNodesSelfCertifyingId() {
    String someoneElse = io.p2pnode.crypto.Identity.generate().peerId();
    try (TestNodes nodes = new TestNodes()) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> nodes.start(TestNodes.config(someoneElse)));
      Throwable cause = e instanceof ConfigException ? e : e.getCause();
      assertInstanceOf(ConfigException.class, cause, String.valueOf(e));
      assertEquals("peerId", ((ConfigException) cause).key());
    }
  }

  @Test
  void unreadableKeyFileIsAConfigErrorNamingTheKey(@TempDir Path dir) throws Exception {
    Path keyFile = Files.writeString(dir.resolve("bad.key"), "not a key file");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    try (TestNodes nodes = new TestNodes()) {
      RuntimeException e = assertThrows(RuntimeException.class,
        () -> nodes.start(TestNodes.config("x").put("identity", new JsonObject().put("keyFile", keyFile.toString()))));
      Throwable cause = e instanceof ConfigException ? e : e.getCause();
      assertInstanceOf(ConfigException.class, cause, String.valueOf(e));
      assertEquals("identity.keyFile", ((ConfigException) cause).key());
      assertTrue(cause.getMessage().contains(keyFile.toString()), cause.getMessage());
    }
  }
}
