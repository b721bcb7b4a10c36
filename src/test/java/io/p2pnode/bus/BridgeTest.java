package io.p2pnode.bus;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The TCP event-bus bridge driven by a plain socket speaking the bridge framing (4-byte
 * big-endian length + UTF-8 JSON) with hand-written JSON, as a client in any language would.
 */
class BridgeTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static int aliceBridge;
  static int bobBridge;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    aliceBridge = TestNodes.freeTcpPort();
    bobBridge = TestNodes.freeTcpPort();
    JsonObject bridge = new JsonObject().put("host", "127.0.0.1").put("permitted", new JsonArray().add("p2p\\.inbound").add("app\\..*"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("bridge", bridge.copy().put("port", aliceBridge)));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("bridge", bridge.copy().put("port", bobBridge)));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  /** A bridge client with nothing but a socket. */
  static final class RawClient implements AutoCloseable {
    final Socket s;
    final DataInputStream in;
    final DataOutputStream out;

    RawClient(int port) throws IOException {
      s = new Socket("127.0.0.1", port);
      s.setSoTimeout(10_000);
      in = new DataInputStream(s.getInputStream());
      out = new DataOutputStream(s.getOutputStream());
    }

    void write(String json) throws IOException {
      byte[] b = json.getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
      out.flush();
    }

    String read() throws IOException {
      int len = in.readInt();
      byte[] b = new byte[len];
      in.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    /** Reads frames until one contains {@code marker}. */
    String readUntil(String marker) throws IOException {
      while (true) {
        String f = read();
        if (f.contains(marker)) return f;
      }
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }

  @Test
  void pingPong() throws Exception {
    try (RawClient c = new RawClient(aliceBridge)) {
      c.write("{\"type\":\"ping\"}");
      assertEquals("pong", new JsonObject(c.read()).getString("type"));
    }
  }

  @Test
  void statusThroughTheBridge() throws Exception {
    try (RawClient c = new RawClient(aliceBridge)) {
      c.write("{\"type\":\"send\",\"address\":\"p2p.status\",\"replyAddress\":\"r1\",\"body\":null}");
      JsonObject f = new JsonObject(c.readUntil("\"r1\""));
      assertEquals("message", f.getString("type"));
      assertEquals("alice", f.getJsonObject("body").getString("peerId"));
    }
  }

  @Test
  void sendFromOneBridgeArrivesAtAnotherBridgeClient() throws Exception {
    try (RawClient sender = new RawClient(aliceBridge); RawClient receiver = new RawClient(bobBridge)) {
      receiver.write("{\"type\":\"register\",\"address\":\"app.chat\"}");
      // a ping round trip proves the registration was processed before we send
      receiver.write("{\"type\":\"ping\"}");
      receiver.readUntil("pong");
      sender.write("{\"type\":\"send\",\"address\":\"p2p.send\",\"replyAddress\":\"r2\","
        + "\"headers\":{\"to\":\"bob\",\"address\":\"app.chat\"},\"body\":\"hi bob\"}");
      JsonObject ack = new JsonObject(sender.readUntil("\"r2\""));
      assertEquals("message", ack.getString("type"), ack.encode());
      assertEquals("bob", ack.getJsonObject("body").getString("to"));
      assertEquals("direct", ack.getJsonObject("body").getString("path"));
      JsonObject got = new JsonObject(receiver.readUntil("hi bob"));
      assertEquals("app.chat", got.getString("address"));
      assertEquals("alice", got.getJsonObject("headers").getString("from"));
    }
  }

  @Test
  void failuresArriveAsErrFramesWithTheCode() throws Exception {
    try (RawClient c = new RawClient(aliceBridge)) {
      c.write("{\"type\":\"send\",\"address\":\"p2p.send\",\"replyAddress\":\"r3\",\"headers\":{\"to\":\"nobody\"},\"body\":\"x\"}");
      JsonObject f = new JsonObject(c.readUntil("\"r3\""));
      assertEquals("err", f.getString("type"));
      assertEquals(404, f.getInteger("failureCode"));
      c.write("{\"type\":\"send\",\"address\":\"p2p.send\",\"replyAddress\":\"r4\",\"body\":\"x\"}");
      JsonObject g = new JsonObject(c.readUntil("\"r4\""));
      assertEquals(400, g.getInteger("failureCode"));
      assertTrue(g.getString("message").startsWith("to:"), g.encode());
    }
  }

  @Test
  void addressesOutsideTheApiAndPermittedAreDenied() throws Exception {
    try (RawClient c = new RawClient(aliceBridge)) {
      c.write("{\"type\":\"send\",\"address\":\"p2p.internal.tick\",\"body\":\"x\"}");
      assertTrue(c.readUntil("err").contains("access_denied"));
      c.write("{\"type\":\"register\",\"address\":\"secret.stuff\"}");
      assertTrue(c.readUntil("err").contains("access_denied"));
    }
  }

  @Test
  void peerEventsReachBridgeClients() throws Exception {
    P2pNode carol = nodes.startRegistered(TestNodes.peer("carol", coord));
    try (RawClient c = new RawClient(aliceBridge)) {
      c.write("{\"type\":\"register\",\"address\":\"p2p.peer.up\"}");
      c.write("{\"type\":\"ping\"}");
      c.readUntil("pong");
      c.write("{\"type\":\"send\",\"address\":\"p2p.connect\",\"replyAddress\":\"r5\",\"body\":{\"peerId\":\"carol\"}}");
      JsonObject up = new JsonObject(c.readUntil("p2p.peer.up"));
      assertEquals("carol", up.getJsonObject("body").getString("peerId"));
    } finally {
      nodes.stop(carol);
    }
  }
}
