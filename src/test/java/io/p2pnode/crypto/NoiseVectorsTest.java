package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the published Noise test vectors (cacophony, snow; see {@code crypto/README.md}):
 * every handshake message and every transport message must match byte for byte.
 */
class NoiseVectorsTest {
  private static final byte[] EMPTY = new byte[0];

  @TestFactory
  List<DynamicTest> publishedVectors() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Object o : vectors()) {
      JsonObject v = (JsonObject) o;
      String name = v.getString("protocol_name") + " from " + v.getString("source").split("/")[2];
      tests.add(DynamicTest.dynamicTest(name, () -> replay(v)));
    }
    return tests;
  }

  @Test
  void vectorFileCoversBothPatternsFromTwoSources() throws IOException {
    JsonArray vectors = vectors();
    assertEquals(4, vectors.size());
    long ik = vectors.stream().filter(o -> ((JsonObject) o).getString("protocol_name").contains("_IK_")).count();
    assertEquals(2, ik);
  }

  private static void replay(JsonObject v) throws CryptoException {
    HandshakePattern pattern = v.getString("protocol_name").contains("_IK_") ? HandshakePattern.IK : HandshakePattern.XX;
    assertEquals(v.getString("protocol_name"), pattern.protocolName());
    NoiseHandshake initiator = side(NoiseHandshake.initiator(pattern), v, "init_");
    NoiseHandshake responder = side(NoiseHandshake.responder(pattern), v, "resp_");
    JsonArray messages = v.getJsonArray("messages");
    int handshakeMessages = pattern.messages().size();
    for (int i = 0; i < handshakeMessages; i++) {
      JsonObject m = messages.getJsonObject(i);
      NoiseHandshake sender = i % 2 == 0 ? initiator : responder;
      NoiseHandshake receiver = i % 2 == 0 ? responder : initiator;
      byte[] ciphertext = sender.writeMessage(hex(m, "payload"));
      assertEquals(m.getString("ciphertext"), Hex.of(ciphertext), "handshake message " + i);
      assertArrayEquals(hex(m, "payload"), receiver.readMessage(ciphertext), "payload " + i);
    }
    assertTrue(initiator.isComplete() && responder.isComplete());
    checkResults(v, initiator.result(), responder.result());
    replayTransport(messages, handshakeMessages, initiator.result(), responder.result());
  }

  private static NoiseHandshake side(NoiseHandshake.Builder b, JsonObject v, String prefix) {
    b.prologue(hex(v, prefix + "prologue"))
        .localStatic(X25519KeyPair.fromPrivate(hex(v, prefix + "static")))
        .ephemeral(hex(v, prefix + "ephemeral"));
    if (v.containsKey(prefix + "remote_static")) b.remoteStatic(hex(v, prefix + "remote_static"));
    return b.build();
  }

  private static void checkResults(JsonObject v, HandshakeResult init, HandshakeResult resp) {
    assertArrayEquals(X25519.publicKey(hex(v, "resp_static")), init.remoteStaticKey());
    assertArrayEquals(X25519.publicKey(hex(v, "init_static")), resp.remoteStaticKey());
    assertArrayEquals(init.handshakeHash(), resp.handshakeHash());
    if (v.containsKey("handshake_hash")) assertEquals(v.getString("handshake_hash"), Hex.of(init.handshakeHash()));
    assertArrayEquals(init.sendKey(), resp.receiveKey());
    assertArrayEquals(init.receiveKey(), resp.sendKey());
  }

  /** Transport messages alternate too; also re-encrypts each with the raw key and an explicit nonce. */
  private static void replayTransport(JsonArray messages, int first, HandshakeResult init, HandshakeResult resp)
      throws CryptoException {
    long[] sent = new long[2];
    for (int i = first; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      boolean fromInitiator = i % 2 == 0;
      HandshakeResult from = fromInitiator ? init : resp;
      HandshakeResult to = fromInitiator ? resp : init;
      byte[] payload = hex(m, "payload");
      byte[] ciphertext = from.sender().encryptWithAd(EMPTY, payload);
      assertEquals(m.getString("ciphertext"), Hex.of(ciphertext), "transport message " + i);
      assertArrayEquals(payload, to.receiver().decryptWithAd(EMPTY, ciphertext));
      CipherState explicit = new CipherState(from.sendKey());
      explicit.setNonce(sent[fromInitiator ? 0 : 1]++);
      assertArrayEquals(ciphertext, explicit.encryptWithAd(EMPTY, payload), "raw key, explicit nonce " + i);
    }
  }

  private static byte[] hex(JsonObject o, String field) {
    String value = o.getString(field);
    assertNotNull(value, field);
    return Hex.bytes(value);
  }

  private static JsonArray vectors() throws IOException {
    try (InputStream in = NoiseVectorsTest.class.getResourceAsStream("/crypto/noise-vectors.json")) {
      assertNotNull(in, "crypto/noise-vectors.json on the test classpath");
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("vectors");
    }
  }
}
