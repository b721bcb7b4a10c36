package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Random round trips of IK and XX, and rejection of truncated, altered or mismatched messages. */
class NoiseHandshakeTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] PROLOGUE = "p2p-node test".getBytes(StandardCharsets.US_ASCII);
  private static final X25519KeyPair ALICE = X25519KeyPair.fromPrivate(filled(1));
  private static final X25519KeyPair BOB = X25519KeyPair.fromPrivate(filled(2));

  @Test
  void ikRoundTripWithRandomKeys() throws CryptoException {
    for (int round = 0; round < 5; round++) {
      X25519KeyPair a = X25519KeyPair.generate(RANDOM);
      X25519KeyPair b = X25519KeyPair.generate(RANDOM);
      NoiseHandshake init = ikInitiator(a, b.publicKey(), null);
      NoiseHandshake resp = ikResponder(b, null);
      byte[] p1 = randomBytes(round * 100);
      byte[] p2 = randomBytes(round * 7);
      assertArrayEquals(p1, resp.readMessage(init.writeMessage(p1)));
      assertArrayEquals(a.publicKey(), resp.remoteStaticKey());
      assertArrayEquals(p2, init.readMessage(resp.writeMessage(p2)));
      assertAgree(init, resp, a, b);
    }
  }

  @Test
  void xxRoundTripWithRandomKeys() throws CryptoException {
    X25519KeyPair a = X25519KeyPair.generate(RANDOM);
    X25519KeyPair b = X25519KeyPair.generate(RANDOM);
    NoiseHandshake init = NoiseHandshake.initiator(HandshakePattern.XX).prologue(PROLOGUE).localStatic(a).build();
    NoiseHandshake resp = NoiseHandshake.responder(HandshakePattern.XX).prologue(PROLOGUE).localStatic(b).build();
    assertNull(init.remoteStaticKey());
    assertArrayEquals(bytes("one"), resp.readMessage(init.writeMessage(bytes("one"))));
    assertArrayEquals(bytes("two"), init.readMessage(resp.writeMessage(bytes("two"))));
    assertArrayEquals(bytes("three"), resp.readMessage(init.writeMessage(bytes("three"))));
    assertAgree(init, resp, a, b);
  }

  @Test
  void everyTruncationOfIkMessage1IsRejected() throws CryptoException {
    byte[] m1 = ikInitiator(ALICE, BOB.publicKey(), filled(3)).writeMessage(bytes("hello"));
    assertEquals(32 + 48 + 5 + 16, m1.length);
    for (int len = 0; len < m1.length; len++) {
      assertRejected(ikResponder(BOB, filled(4)), Arrays.copyOf(m1, len));
    }
    assertRejected(ikResponder(BOB, filled(4)), Arrays.copyOf(m1, m1.length + 1));
  }

  @Test
  void everyBitFlipOfIkMessage1IsRejected() throws CryptoException {
    byte[] m1 = ikInitiator(ALICE, BOB.publicKey(), filled(3)).writeMessage(bytes("hello"));
    for (int i = 0; i < m1.length * 8; i++) {
      assertRejected(ikResponder(BOB, filled(4)), flip(m1, i));
    }
  }

  @Test
  void everyTruncationAndSampledBitFlipOfIkMessage2IsRejected() throws CryptoException {
    byte[] m2 = ikResponderAfterMessage1().writeMessage(bytes("welcome"));
    assertEquals(32 + 7 + 16, m2.length);
    for (int len = 0; len < m2.length; len++) {
      assertRejected(ikInitiatorAfterMessage1(), Arrays.copyOf(m2, len));
    }
    for (int i = 0; i < m2.length * 8; i += 3) {
      assertRejected(ikInitiatorAfterMessage1(), flip(m2, i));
    }
  }

  @Test
  void xxMessage2And3TamperingIsRejected() throws CryptoException {
    NoiseHandshake[] pair = xxPair();
    byte[] m1 = pair[0].writeMessage(new byte[0]);
    pair[1].readMessage(m1);
    byte[] m2 = pair[1].writeMessage(bytes("r"));
    for (int i = 0; i < m2.length * 8; i += 5) {
      NoiseHandshake init = xxPair()[0];
      init.writeMessage(new byte[0]);
      assertRejected(init, flip(m2, i));
    }
    pair[0].readMessage(m2);
    byte[] m3 = pair[0].writeMessage(bytes("i"));
    for (int i = 0; i < m3.length * 8; i += 5) {
      NoiseHandshake[] fresh = xxPair();
      fresh[1].readMessage(fresh[0].writeMessage(new byte[0]));
      fresh[1].writeMessage(bytes("r"));
      assertRejected(fresh[1], flip(m3, i));
    }
  }

  @Test
  void ikInitiatorWithWrongResponderKeyFails() throws CryptoException {
    X25519KeyPair other = X25519KeyPair.generate(RANDOM);
    byte[] m1 = ikInitiator(ALICE, other.publicKey(), null).writeMessage(new byte[0]);
    assertRejected(ikResponder(BOB, null), m1);
  }

  @Test
  void prologueMismatchFails() throws CryptoException {
    byte[] m1 = NoiseHandshake.initiator(HandshakePattern.IK).prologue(bytes("v1")).localStatic(ALICE)
        .remoteStatic(BOB.publicKey()).build().writeMessage(new byte[0]);
    assertRejected(NoiseHandshake.responder(HandshakePattern.IK).prologue(bytes("v2")).localStatic(BOB).build(), m1);
  }

  @Test
  void smallOrderEphemeralIsRejected() {
    byte[] m1 = new byte[32 + 48 + 16];
    assertRejected(ikResponder(BOB, null), m1);
  }

  @Test
  void turnsAreEnforcedWithoutKillingTheHandshake() throws CryptoException {
    NoiseHandshake init = ikInitiator(ALICE, BOB.publicKey(), null);
    NoiseHandshake resp = ikResponder(BOB, null);
    assertThrows(IllegalStateException.class, () -> init.readMessage(new byte[100]));
    assertThrows(IllegalStateException.class, () -> resp.writeMessage(new byte[0]));
    assertThrows(IllegalStateException.class, init::result);
    assertFalse(init.isFailed() || resp.isFailed());
    resp.readMessage(init.writeMessage(new byte[0]));
    init.readMessage(resp.writeMessage(new byte[0]));
    assertTrue(init.isComplete() && resp.isComplete());
    assertThrows(IllegalStateException.class, () -> init.writeMessage(new byte[0]));
  }

  @Test
  void responderCanAbortAfterSeeingTheInitiatorKey() throws CryptoException {
    NoiseHandshake resp = ikResponder(BOB, null);
    resp.readMessage(ikInitiator(ALICE, BOB.publicKey(), null).writeMessage(new byte[0]));
    assertTrue(PeerIds.matches(PeerIds.of(ALICE.publicKey()), resp.remoteStaticKey()));
    resp.abort();
    assertTrue(resp.isFailed());
    assertThrows(IllegalStateException.class, () -> resp.writeMessage(new byte[0]));
  }

  @Test
  void sizesAreBounded() throws CryptoException {
    NoiseHandshake init = ikInitiator(ALICE, BOB.publicKey(), null);
    assertThrows(IllegalArgumentException.class, () -> init.writeMessage(new byte[65535 - 96 + 1]));
    assertFalse(init.isFailed());
    assertEquals(65535, init.writeMessage(new byte[65535 - 96]).length);
    assertRejected(ikResponder(BOB, null), new byte[65536]);
  }

  @Test
  void builderChecksKeys() {
    assertThrows(IllegalArgumentException.class, () -> NoiseHandshake.initiator(HandshakePattern.IK).localStatic(ALICE).build());
    assertThrows(IllegalArgumentException.class, () -> NoiseHandshake.responder(HandshakePattern.IK).build());
    assertThrows(IllegalArgumentException.class, () -> NoiseHandshake.initiator(HandshakePattern.XX).localStatic(ALICE)
        .remoteStatic(BOB.publicKey()).build());
    assertThrows(IllegalArgumentException.class, () -> NoiseHandshake.initiator(HandshakePattern.IK).localStatic(ALICE)
        .remoteStatic(new byte[31]));
  }

  @Test
  void cipherStateKeepsNonceOnFailureAndRefusesTheReservedNonce() throws CryptoException {
    CipherState a = new CipherState(filled(9));
    CipherState b = new CipherState(filled(9));
    byte[] ct = a.encryptWithAd(bytes("ad"), bytes("msg"));
    assertThrows(CryptoException.class, () -> b.decryptWithAd(bytes("other"), ct));
    assertThrows(CryptoException.class, () -> b.decryptWithAd(bytes("ad"), new byte[15]));
    assertEquals(0, b.nonce());
    assertArrayEquals(bytes("msg"), b.decryptWithAd(bytes("ad"), ct));
    a.rekey();
    b.rekey();
    assertArrayEquals(a.key(), b.key());
    assertArrayEquals(bytes("x"), b.decryptWithAd(new byte[0], a.encryptWithAd(new byte[0], bytes("x"))));
    a.setNonce(CipherState.MAX_NONCE);
    assertThrows(CryptoException.class, () -> a.encryptWithAd(new byte[0], new byte[0]));
    assertArrayEquals(bytes("clear"), new CipherState().encryptWithAd(new byte[0], bytes("clear")));
  }

  private static void assertAgree(NoiseHandshake init, NoiseHandshake resp, X25519KeyPair a, X25519KeyPair b)
      throws CryptoException {
    HandshakeResult ri = init.result();
    HandshakeResult rr = resp.result();
    assertArrayEquals(b.publicKey(), ri.remoteStaticKey());
    assertArrayEquals(a.publicKey(), rr.remoteStaticKey());
    assertArrayEquals(ri.handshakeHash(), rr.handshakeHash());
    assertArrayEquals(ri.sendKey(), rr.receiveKey());
    assertArrayEquals(ri.receiveKey(), rr.sendKey());
    assertFalse(Arrays.equals(ri.sendKey(), ri.receiveKey()));
    byte[] msg = randomBytes(1000);
    assertArrayEquals(msg, rr.receiver().decryptWithAd(new byte[0], ri.sender().encryptWithAd(new byte[0], msg)));
    assertArrayEquals(msg, ri.receiver().decryptWithAd(new byte[0], rr.sender().encryptWithAd(new byte[0], msg)));
  }

  private static void assertRejected(NoiseHandshake receiver, byte[] message) {
    assertThrows(CryptoException.class, () -> receiver.readMessage(message));
    assertTrue(receiver.isFailed());
    assertThrows(IllegalStateException.class, () -> receiver.readMessage(message));
    assertThrows(IllegalStateException.class, () -> receiver.writeMessage(new byte[0]));
  }

  private static NoiseHandshake ikInitiator(X25519KeyPair s, byte[] rs, byte[] ephemeral) {
    NoiseHandshake.Builder b = NoiseHandshake.initiator(HandshakePattern.IK).prologue(PROLOGUE).localStatic(s).remoteStatic(rs);
    if (ephemeral != null) b.ephemeral(ephemeral);
    return b.build();
  }

  private static NoiseHandshake ikResponder(X25519KeyPair s, byte[] ephemeral) {
    NoiseHandshake.Builder b = NoiseHandshake.responder(HandshakePattern.IK).prologue(PROLOGUE).localStatic(s);
    if (ephemeral != null) b.ephemeral(ephemeral);
    return b.build();
  }

  /** Deterministic (fixed ephemerals), so message 1 and 2 are the same every time. */
  private static NoiseHandshake ikInitiatorAfterMessage1() throws CryptoException {
    NoiseHandshake init = ikInitiator(ALICE, BOB.publicKey(), filled(3));
    init.writeMessage(bytes("hello"));
    return init;
  }

  private static NoiseHandshake ikResponderAfterMessage1() throws CryptoException {
    NoiseHandshake resp = ikResponder(BOB, filled(4));
    resp.readMessage(ikInitiator(ALICE, BOB.publicKey(), filled(3)).writeMessage(bytes("hello")));
    return resp;
  }

  private static NoiseHandshake[] xxPair() {
    return new NoiseHandshake[] {
        NoiseHandshake.initiator(HandshakePattern.XX).localStatic(ALICE).ephemeral(filled(5)).build(),
        NoiseHandshake.responder(HandshakePattern.XX).localStatic(BOB).ephemeral(filled(6)).build()};
  }

  static byte[] flip(byte[] in, int bit) {
    byte[] out = in.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }

  static byte[] filled(int value) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
