package io.p2pnode.punch;

import io.p2pnode.TestKeys;
import io.p2pnode.crypto.Identity;
import io.p2pnode.wire.Bits128;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterChallenge;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.PeerKey;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The coordinator's registration gate: challenge, proof of key possession, cookies, admission. */
class RegistrationGuardTest {
  static final InetSocketAddress ALICE_AT = new InetSocketAddress("203.0.113.1", 40001);
  static final InetSocketAddress ELSEWHERE = new InetSocketAddress("198.51.100.66", 40001);
  static final byte[] OPEN = new byte[0];
  static final long T0 = 1_700_000_000_000L;

  final Identity coordinator = Identity.generate();
  final Identity alice = TestKeys.identity("alice");
  final Register plain = new Register(5, NatType.UNKNOWN, "alice", TestKeys.of("alice"), List.of(new InetSocketAddress("192.168.1.10", 7700)));

  /** {@code r} proven the way a node does it, with the challenge's cookie and {@code networkKey}. */
  static Register prove(Register r, RegisterChallenge ch, Identity who, byte[] networkKey) throws Exception {
    byte[] macKey = RegistrationProof.macKey(who.keyPair().privateKey(), ch.coordinatorKey().bytes(), networkKey);
    Register withCookie = r.proven(ch.cookie(), Bits128.ZERO);
    return withCookie.proven(ch.cookie(), RegistrationProof.mac(macKey, withCookie));
  }

  RegistrationGuard guard(byte[] networkKey, Set<PeerKey> allowed) {
    return new RegistrationGuard(coordinator.keyPair(), networkKey, allowed, 100);
  }

  @Test
  void onlyAProofWithACurrentCookieFromTheSameAddressIsAccepted() throws Exception {
    RegistrationGuard g = guard(OPEN, Set.of());
    RegisterChallenge ch = g.challenge(plain, ALICE_AT, T0);
    assertEquals(PeerKey.of(coordinator.publicKey()), ch.coordinatorKey());
    Register proven = prove(plain, ch, alice, OPEN);
    Register forged = plain.proven(ch.cookie(), new Bits128(1, 2));
    Register mallory = prove(plain, ch, Identity.generate(), OPEN); // knows alice's public key only
    long period = RegistrationGuard.COOKIE_PERIOD_MS;
    Object[][] table = { // registration, sender, time, verdict
      {plain, ALICE_AT, T0, RegistrationGuard.Verdict.CHALLENGE},
      {proven, ALICE_AT, T0, RegistrationGuard.Verdict.ACCEPT},
      {proven, ALICE_AT, T0 + period, RegistrationGuard.Verdict.ACCEPT}, // refreshes reuse the cookie...
      {proven, ALICE_AT, T0 + 2 * period, RegistrationGuard.Verdict.CHALLENGE}, // ...for up to two periods
      {proven, ELSEWHERE, T0, RegistrationGuard.Verdict.CHALLENGE}, // replayed from another address
      {forged, ALICE_AT, T0, RegistrationGuard.Verdict.AUTH_FAILED},
      {mallory, ALICE_AT, T0, RegistrationGuard.Verdict.AUTH_FAILED},
    };
    for (Object[] row : table) {
      assertEquals(row[3], g.check((Register) row[0], (InetSocketAddress) row[1], (Long) row[2]), java.util.Arrays.toString(row));
    }
    // a tampered field (the private endpoints) breaks the proof
    Register tampered = new Register(proven.txn(), proven.natType(), proven.peerId(), proven.key(), List.of(), proven.cookie(),
      proven.mac());
    assertEquals(RegistrationGuard.Verdict.AUTH_FAILED, g.check(tampered, ALICE_AT, T0));
  }

  @Test
  void aClosedNetworkNeedsItsKeyAndAnAllowListItsKeys() throws Exception {
    byte[] net = "s3cret".getBytes(StandardCharsets.UTF_8);
    RegistrationGuard closed = guard(net, Set.of());
    RegisterChallenge ch = closed.challenge(plain, ALICE_AT, T0);
    assertEquals(RegistrationGuard.Verdict.ACCEPT, closed.check(prove(plain, ch, alice, net), ALICE_AT, T0));
    assertEquals(RegistrationGuard.Verdict.AUTH_FAILED, closed.check(prove(plain, ch, alice, OPEN), ALICE_AT, T0));
    assertEquals(RegistrationGuard.Verdict.AUTH_FAILED,
      closed.check(prove(plain, ch, alice, "guess".getBytes(StandardCharsets.UTF_8)), ALICE_AT, T0));

    RegistrationGuard listed = guard(OPEN, Set.of(TestKeys.of("bob")));
    assertEquals(RegistrationGuard.Verdict.NOT_ADMITTED, listed.check(plain, ALICE_AT, T0));
    Register bob = new Register(1, NatType.UNKNOWN, "bob", TestKeys.of("bob"), List.of());
    assertEquals(RegistrationGuard.Verdict.CHALLENGE, listed.check(bob, ALICE_AT, T0));
  }

  @Test
  void theChallengeIsStatelessAndSmallerThanTheRegistration() {
    RegistrationGuard g = guard(OPEN, Set.of());
    // the same question gets the same cookie: nothing is stored per sender
    assertEquals(g.challenge(plain, ALICE_AT, T0), g.challenge(plain, ALICE_AT, T0 + 1));
    assertNotEquals(g.challenge(plain, ALICE_AT, T0).cookie(), g.challenge(plain, ELSEWHERE, T0).cookie());
    int registerBytes = io.p2pnode.wire.ControlMessage.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, plain, 0).readableBytes();
    int challengeBytes = io.p2pnode.wire.ControlMessage.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
      g.challenge(plain, ALICE_AT, T0), 0).readableBytes();
    assertTrue(challengeBytes < registerBytes, challengeBytes + " >= " + registerBytes);
  }
}
