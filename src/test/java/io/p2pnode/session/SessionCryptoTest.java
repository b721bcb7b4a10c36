package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.TestKeys;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Sessions are authenticated and encrypted: the Noise IK handshake in HELLO / HELLO_ACK against
 * the introduced keys, every frame sealed (no plaintext on the wire), forged and replayed frames
 * dropped and counted, a peer with the wrong key never connects.
 */
class SessionCryptoTest {
  static final String SECRET = "SECRET-PAYLOAD-2f81c";

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  private static boolean onTheWire(boolean encryption) {
    SessionPair p = new SessionPair(new JsonObject().put("encryption", encryption));
    p.capturedAtoB = new ArrayList<>();
    Future<Object> f = p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", SECRET, 5_000);
    p.runUntil(f, 5_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(SECRET, p.deliveredAtB.get(0).body());
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    return p.capturedAtoB.stream().anyMatch(d -> contains(d, secret));
  }

  @Test
  void noPlaintextOnTheWire() {
    assertFalse(onTheWire(true), "the message travelled in clear");
    assertTrue(onTheWire(false), "sanity: unencrypted, the capture does show it");
  }

  /**
   * Sockets receive into direct buffers; AES-GCM opens on the heap. Such a frame is copied to the
   * heap once, opened there and released after; the socket's buffer is left to the socket.
   */
  @Test
  void framesReceivedInNativeMemoryOpenOnTheHeapAndLeaveNothingBehind() {
    SessionPair p = new SessionPair(new JsonObject());
    p.directAtB = new io.netty.buffer.UnpooledByteBufAllocator(false);
    byte[] big = new byte[200_000]; // fragments
    new java.util.Random(7).nextBytes(big);
    Future<Object> small = p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", SECRET, 5_000);
    Future<Object> large = p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", io.vertx.core.buffer.Buffer.buffer(big), 5_000);
    p.runUntil(Future.all(small, large), 5_000);
    assertTrue(small.succeeded() && large.succeeded(), String.valueOf(large.cause()));
    assertEquals(SECRET, p.deliveredAtB.get(0).body());
    assertArrayEquals(big, ((io.vertx.core.buffer.Buffer) p.deliveredAtB.get(1).body()).getBytes());
    assertEquals(0, p.directReleasedAtB, "the session released a socket's buffer");
    assertEquals(0, p.directAtB.metric().usedHeapMemory(), "heap copies of opened frames were not released");
    assertEquals(0, p.directAtB.metric().usedDirectMemory());
    assertEquals(0, p.countersB.drops(Drop.AUTH_FAILED));
  }

  @Test
  void replayedFramesAreDroppedAndDeliveredOnce() {
    SessionPair p = new SessionPair(new JsonObject());
    p.capturedAtoB = new ArrayList<>();
    Future<Object> f = p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", "once", 5_000);
    p.runUntil(f, 5_000);
    assertTrue(f.succeeded());
    int replayed = 0;
    for (byte[] d : p.capturedAtoB) {
      ByteBuf frame = Unpooled.wrappedBuffer(d.clone());
      FrameType type = FrameCodec.check(frame);
      if (FrameCodec.sessionId(frame) == 0) continue; // HELLOs
      p.b.onFrame(type, frame, SessionPair.A);
      replayed++;
    }
    assertTrue(replayed > 0);
    assertEquals(replayed, p.countersB.drops(Drop.REPLAYED));
    assertEquals(1, p.deliveredAtB.stream().filter(d -> d.body().equals("once")).count());
    assertEquals(PeerSession.State.UP, p.b.state());
  }

  @Test
  void forgedAndCorruptedFramesDoNotAuthenticate() {
    SessionPair p = new SessionPair(new JsonObject());
    ByteBuf forged = Unpooled.buffer();
    FrameCodec.writeHeader(forged, FrameType.BUNDLE, 0, 2, 1000);
    forged.writeBytes(new byte[40]);
    p.b.onFrame(FrameType.BUNDLE, forged, SessionPair.A);
    // a real frame with one bit flipped
    p.capturedAtoB = new ArrayList<>();
    Future<Object> f = p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", "x", 5_000);
    p.runUntil(f, 5_000);
    byte[] real = p.capturedAtoB.stream().filter(d -> d.length > FrameCodec.HEADER_BYTES + 16 && d[1] == FrameType.BUNDLE.code())
      .findFirst().orElseThrow();
    byte[] flipped = real.clone();
    flipped[flipped.length - 20] ^= 1;
    p.b.onFrame(FrameType.BUNDLE, Unpooled.wrappedBuffer(flipped), SessionPair.A);
    assertEquals(2, p.countersB.drops(Drop.AUTH_FAILED));
    assertEquals(PeerSession.State.UP, p.b.state());
  }

  @Test
  void aPeerWithoutTheIntroducedKeyNeverConnects() {
    // a believes b's key is mallory's: b cannot answer the handshake a sends
    SessionPair p = new SessionPair(new JsonObject().put("connectTimeoutMs", 2_000), TestKeys.of("mallory"), TestKeys.of("a"), false);
    p.clock.advance(3_000);
    assertNotEquals(PeerSession.State.UP, p.a.state());
    assertNotEquals(PeerSession.State.UP, p.b.state());
    long rejected = p.countersA.drops(Drop.HELLO_REJECTED) + p.countersB.drops(Drop.HELLO_REJECTED)
      + p.countersA.drops(Drop.KEY_MISMATCH) + p.countersB.drops(Drop.KEY_MISMATCH);
    assertTrue(rejected > 0, "the failed handshake is counted");
  }

  /**
   * Keys renewed every 50 frames (and the previous set kept for frames in flight, by key phase)
   * while 5 000 messages cross 5% loss and reordering: all arrive once, in order.
   */
  @Test
  void keysAreRenewedWhileTrafficFlowsAndNothingIsLost() {
    SessionPair p = new SessionPair(new JsonObject().put("rekeyAfterPackets", 50).put("maxInFlight", 10_000));
    p.loss = 0.05;
    p.delayMs = 5;
    p.jitterMs = 10;
    p.startTicks(50);
    int n = 5_000;
    java.util.List<Future<Object>> fs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      fs.add(p.a.send(io.p2pnode.wire.SessionCodec.KIND_SEND, "app", Integer.toString(i), 600_000));
      if (i % 100 == 99) p.clock.advance(20); // spread over time: several renewals happen mid-stream
    }
    p.runUntil(Future.all(fs), 600_000);
    assertTrue(fs.stream().allMatch(Future::succeeded), "every send confirmed");
    assertEquals(n, p.deliveredAtB.size(), "exactly once");
    for (int i = 0; i < n; i++) assertEquals(Integer.toString(i), p.deliveredAtB.get(i).body(), "in order at " + i);
    long sets = p.a.toJson().getLong("keySets");
    assertTrue(sets >= 5, "keys renewed: " + sets + " sets");
    // a renewal may be half done when the traffic ends (its message 1 counted on one side, its answer lost to the 5% loss)
    long setsB = p.b.toJson().getLong("keySets");
    assertTrue(Math.abs(sets - setsB) <= 1, "both sides agree on every renewal but the last: " + sets + " vs " + setsB);
  }
}
