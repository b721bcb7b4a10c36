package io.p2pnode.punch;

import io.p2pnode.registry.LocalPeerRegistry;
import io.p2pnode.registry.PeerRecord;
import io.p2pnode.time.Clock;
import io.p2pnode.wire.ControlMessage.Connect;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterAck;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinatorTest {
  private static final long TTL_MS = 1000;
  private static final String SELF = "coord";
  private static final InetSocketAddress ALICE_PUB = new InetSocketAddress("203.0.113.1", 40001);
  private static final InetSocketAddress BOB_PUB = new InetSocketAddress("198.51.100.2", 40002);
  private static final InetSocketAddress MALLORY = new InetSocketAddress("192.0.2.66", 6666);
  private static final List<InetSocketAddress> ALICE_PRIV = List.of(new InetSocketAddress("192.168.1.10", 7710));
  private static final List<InetSocketAddress> BOB_PRIV = List.of(new InetSocketAddress("10.0.0.20", 7720));

  /** Manual clock, in nanoseconds. */
  private final long[] now = {5_000_000_000L};
  private final Clock clock = () -> now[0];
  private final LocalPeerRegistry registry = new LocalPeerRegistry(100);
  private final Coordinator coordinator = new Coordinator(SELF, registry, clock, TTL_MS, new RelayLimiter(1000, 10_000));

  private void advanceMs(long ms) {
    now[0] += ms * 1_000_000L;
  }

  private RegisterAck register(Coordinator c, String peerId, List<InetSocketAddress> priv, InetSocketAddress observed) {
    return c.register(new Register(17, io.p2pnode.wire.NatType.UNKNOWN, peerId, io.p2pnode.TestKeys.of(peerId), priv), observed).ack();
  }

  private void registerAliceAndBob() {
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    assertNotNull(register(coordinator, "bob", BOB_PRIV, BOB_PUB));
  }

  private static void assertFailure(Coordinator.Outcome out, int code, int txn) {
    assertNull(out.introduction());
    ConnectFail f = out.failure();
    assertNotNull(f);
    assertEquals(code, f.code(), f.reason());
    assertEquals(txn, f.txn());
  }

  private RegisterAck registerTcp(String peerId, List<InetSocketAddress> priv, InetSocketAddress observed, int tcpPort) {
    return coordinator.register(new Register(18, io.p2pnode.wire.NatType.UNKNOWN, peerId, io.p2pnode.TestKeys.of(peerId), priv, tcpPort),
      observed).ack();
  }

  private static final InetSocketAddress BOB_V6 = new InetSocketAddress("2001:db8:b::10", 7720);

  /**
   * A dual-stack peer registers over IPv4 and IPv6: the record keeps both observations (IPv4 the
   * one to reach it at), whichever came last; CONNECTs from either are accepted; introductions
   * carry the IPv6 endpoint among the endpoints; it lapses when IPv6 registrations stop.
   */
  @Test
  void aDualStackPeerIsRecordedAndIntroducedWithBothFamilies() {
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    for (InetSocketAddress first : List.of(BOB_PUB, BOB_V6)) {
      registry.remove("bob");
      assertNotNull(register(coordinator, "bob", BOB_PRIV, first));
      RegisterAck ack = register(coordinator, "bob", BOB_PRIV, first == BOB_PUB ? BOB_V6 : BOB_PUB);
      assertEquals(first == BOB_PUB ? BOB_V6 : BOB_PUB, ack.observed(), "each family's ack names what it saw");
      PeerRecord bob = registry.get("bob", clock.millis());
      assertEquals(BOB_PUB, bob.observed(), "IPv4 first, registered " + first + " first");
      assertEquals(BOB_V6, bob.observedOther());
      assertEquals(BOB_PUB, bob.reachAt());
      assertTrue(bob.registeredFrom(BOB_V6) && bob.registeredFrom(BOB_PUB));
    }
    Introduce toAlice = coordinator.connect(new Connect(3, "alice", "bob"), ALICE_PUB).introduction().toRequester();
    assertEquals(BOB_PUB, toAlice.publicEndpoint());
    assertEquals(List.of(BOB_V6, BOB_PRIV.get(0)), toAlice.privateEndpoints());
    assertNotNull(coordinator.connect(new Connect(4, "bob", "alice"), BOB_V6).introduction(), "a CONNECT over IPv6 is bob's");
    assertEquals(PeerRecord.fromJson(registry.get("bob", clock.millis()).toJson()), registry.get("bob", clock.millis()),
      "the shared registry's JSON keeps both");

    // IPv6 registrations stop: after a TTL of IPv4 refreshes alone, the IPv6 endpoint is gone
    for (int i = 0; i < 3; i++) {
      advanceMs(TTL_MS / 2);
      register(coordinator, "bob", BOB_PRIV, BOB_PUB);
    }
    assertNull(registry.get("bob", clock.millis()).observedOther());
    assertFalse(registry.get("bob", clock.millis()).registeredFrom(BOB_V6));
  }

  /** An IPv6-only peer: its IPv6 endpoint is the public one. */
  @Test
  void anIpv6OnlyPeerIsIntroducedAtItsIpv6Endpoint() {
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    assertNotNull(register(coordinator, "bob", List.of(BOB_V6), BOB_V6));
    PeerRecord bob = registry.get("bob", clock.millis());
    assertEquals(BOB_V6, bob.observed());
    assertNull(bob.observedOther());
    Introduce toAlice = coordinator.connect(new Connect(3, "alice", "bob"), ALICE_PUB).introduction().toRequester();
    assertEquals(BOB_V6, toAlice.publicEndpoint());
    assertEquals(List.of(BOB_V6), toAlice.privateEndpoints());
  }

  @Test
  void aTcpRegistrationAddsTheTcpEndpointAndIntroductionsCarryIt() {
    io.p2pnode.transport.FakeTcpLink bobTcp = new io.p2pnode.transport.FakeTcpLink(new InetSocketAddress("198.51.100.2", 7720), true);
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    assertNotNull(registerTcp("bob", BOB_PRIV, BOB_PUB, 7720));        // over UDP
    RegisterAck ack = registerTcp("bob", BOB_PRIV, bobTcp.endpoint(), 7720); // and over TCP
    assertEquals(bobTcp.endpoint(), ack.observed(), "the ack reports the TCP endpoint it saw");
    PeerRecord bob = registry.get("bob", clock.millis());
    assertEquals(BOB_PUB, bob.observed(), "the UDP endpoint stays");
    assertEquals(7720, bob.tcpPort());
    assertTrue(bob.reachAt() instanceof io.p2pnode.transport.TcpEndpoint, "the open connection is preferred to reach bob");
    Coordinator.Introduction intro = coordinator.connect(new Connect(3, "alice", "bob"), ALICE_PUB).introduction();
    assertEquals(BOB_PUB, intro.toRequester().publicEndpoint());
    assertEquals(new InetSocketAddress("198.51.100.2", 7720), intro.toRequester().publicTcp());
    assertFalse(intro.toRequester().publicTcp() instanceof io.p2pnode.transport.TcpEndpoint, "a plain address goes on the wire");
    assertEquals(7720, intro.toRequester().tcpPort());
    assertEquals(bobTcp.endpoint(), intro.targetAddress(), "bob hears of it over his connection");
    // a relay from bob's TCP connection is bob's
    assertNotNull(coordinator.relay(new io.p2pnode.wire.ControlMessage.Relay("bob", "alice", new byte[20]), bobTcp.endpoint()));
    // the connection closes: UDP again
    bobTcp.close();
    assertEquals(BOB_PUB, registry.get("bob", clock.millis()).reachAt());
  }

  @Test
  void aTcpOnlyPeerIsIntroducedWithoutAUdpEndpointAndAStaleUdpEndpointIsDropped() {
    io.p2pnode.transport.FakeTcpLink bobTcp = new io.p2pnode.transport.FakeTcpLink(new InetSocketAddress("198.51.100.2", 7720), true);
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    assertNotNull(registerTcp("bob", BOB_PRIV, BOB_PUB, 7720));
    // bob's UDP gets blocked: only TCP refreshes from now on
    advanceMs(TTL_MS / 2);
    assertNotNull(registerTcp("bob", BOB_PRIV, bobTcp.endpoint(), 7720));
    assertEquals(BOB_PUB, registry.get("bob", clock.millis()).observed(), "UDP refreshed within a TTL: kept");
    advanceMs(TTL_MS);
    assertNotNull(registerTcp("bob", BOB_PRIV, bobTcp.endpoint(), 7720));
    assertNull(registry.get("bob", clock.millis()).observed(), "no UDP refresh for a TTL: dropped");
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB)); // alice refreshes as usual
    Introduce toAlice = coordinator.connect(new Connect(4, "alice", "bob"), ALICE_PUB).introduction().toRequester();
    assertEquals(io.p2pnode.wire.ControlMessage.NO_ENDPOINT, toAlice.publicEndpoint(), "no UDP endpoint: not the coordinator's marker");
    assertNotEquals(Coordinator.UNSPECIFIED, toAlice.publicEndpoint());
    // its connection lost, a TCP-only peer cannot be introduced until it connects again
    bobTcp.close();
    assertFailure(coordinator.connect(new Connect(5, "alice", "bob"), ALICE_PUB), 503, 5);
  }

  @Test
  void registerAcksObservedAddressAndStoresRecord() {
    RegisterAck ack = coordinator.register(new Register(42, io.p2pnode.wire.NatType.UNKNOWN, "alice", io.p2pnode.TestKeys.of("alice"),
      ALICE_PRIV), ALICE_PUB).ack();

    assertEquals(new RegisterAck(42, ALICE_PUB, TTL_MS, 0), ack);
    PeerRecord rec = registry.get("alice", clock.millis());
    assertNotNull(rec);
    assertEquals(ALICE_PUB, rec.observed());
    assertEquals(ALICE_PRIV, rec.privateEndpoints());
    assertEquals(SELF, rec.owner());
    assertEquals(clock.millis(), rec.registeredAtMs());
    assertEquals(clock.millis() + TTL_MS, rec.expiresAtMs());
    assertEquals(1, coordinator.size());
  }

  @Test
  void ownNodeRegistersWithoutObservedAddress() {
    RegisterAck ack = register(coordinator, SELF, List.of(), null);
    assertNotNull(ack);
    assertEquals(Coordinator.UNSPECIFIED, ack.observed());
    assertNull(registry.get(SELF, clock.millis()).observed());
  }

  @Test
  void remotePeerCannotRegisterUnderCoordinatorsId() {
    assertNull(register(coordinator, SELF, List.of(), MALLORY));
    assertEquals(0, coordinator.size());
    assertEquals(SELF, coordinator.selfPeerId());
  }

  @Test
  void fullRegistryRefusesNewPeerButRefreshesKnownOne() {
    Coordinator c = new Coordinator(SELF, new LocalPeerRegistry(1), clock, TTL_MS, new RelayLimiter(1000, 10_000));
    assertNotNull(register(c, "alice", ALICE_PRIV, ALICE_PUB));
    assertNull(register(c, "bob", BOB_PRIV, BOB_PUB));
    assertNotNull(register(c, "alice", ALICE_PRIV, ALICE_PUB));
    assertEquals(1, c.size());
  }

  @Test
  void connectIntroducesBothPeers() {
    registerAliceAndBob();

    Coordinator.Outcome out = coordinator.connect(new Connect(99, "alice", "bob"), ALICE_PUB);

    assertNull(out.failure());
    Coordinator.Introduction intro = out.introduction();
    assertNotNull(intro);
    assertFalse(intro.targetIsLocal());
    assertEquals(BOB_PUB, intro.targetAddress());

    Introduce toAlice = intro.toRequester();
    Introduce toBob = intro.toTarget();
    assertEquals(toAlice.token(), toBob.token());

    assertEquals(99, toAlice.txn());
    assertEquals("bob", toAlice.peerId());
    assertEquals(BOB_PUB, toAlice.publicEndpoint());
    assertEquals(BOB_PRIV, toAlice.privateEndpoints());

    assertEquals(0, toBob.txn());
    assertEquals("alice", toBob.peerId());
    assertEquals(ALICE_PUB, toBob.publicEndpoint());
    assertEquals(ALICE_PRIV, toBob.privateEndpoints());
  }

  @Test
  void connectToUnknownPeerIs404() {
    registerAliceAndBob();
    assertFailure(coordinator.connect(new Connect(5, "alice", "carol"), ALICE_PUB), 404, 5);
  }

  @Test
  void connectFromUnregisteredPeerIs503() {
    registerAliceAndBob();
    assertFailure(coordinator.connect(new Connect(6, "carol", "bob"), MALLORY), 503, 6);
  }

  @Test
  void connectSpoofingRegisteredPeerFromOtherAddressIs503() {
    registerAliceAndBob();
    assertFailure(coordinator.connect(new Connect(7, "alice", "bob"), MALLORY), 503, 7);
    assertFailure(coordinator.connect(new Connect(8, "alice", "bob"), null), 503, 8);
  }

  @Test
  void connectToSelfIs400() {
    registerAliceAndBob();
    assertFailure(coordinator.connect(new Connect(9, "alice", "alice"), ALICE_PUB), 400, 9);
  }

  @Test
  void introductionToCoordinatorsOwnNodeIsLocal() {
    register(coordinator, SELF, List.of(), null);
    register(coordinator, "alice", ALICE_PRIV, ALICE_PUB);

    Coordinator.Introduction intro = coordinator.connect(new Connect(1, "alice", SELF), ALICE_PUB).introduction();

    assertNotNull(intro);
    assertTrue(intro.targetIsLocal());
    assertEquals(Coordinator.UNSPECIFIED, intro.toRequester().publicEndpoint());
    assertEquals(SELF, intro.toRequester().peerId());
    assertEquals(ALICE_PUB, intro.toTarget().publicEndpoint());
  }

  @Test
  void ownNodeConnectingToRemotePeerGetsItsObservedAddress() {
    register(coordinator, SELF, List.of(), null);
    register(coordinator, "bob", BOB_PRIV, BOB_PUB);

    Coordinator.Introduction intro = coordinator.connect(new Connect(2, SELF, "bob"), null).introduction();

    assertNotNull(intro);
    assertEquals(BOB_PUB, intro.targetAddress());
    assertEquals(BOB_PUB, intro.toRequester().publicEndpoint());
    assertEquals(Coordinator.UNSPECIFIED, intro.toTarget().publicEndpoint());
  }

  @Test
  void registrationExpiresAfterTtl() {
    registerAliceAndBob();
    advanceMs(TTL_MS - 1);
    assertNotNull(registry.get("bob", clock.millis()));

    advanceMs(1);
    assertNull(registry.get("bob", clock.millis()));
    assertNull(registry.get("alice", clock.millis()));
    assertFailure(coordinator.connect(new Connect(3, "alice", "bob"), ALICE_PUB), 503, 3);

    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    assertFailure(coordinator.connect(new Connect(4, "alice", "bob"), ALICE_PUB), 404, 4);

    assertEquals(1, coordinator.expire());
    assertEquals(1, coordinator.size());
    assertNull(registry.get("bob", clock.millis()));
  }

  @Test
  void refreshBeforeExpiryExtendsRegistration() {
    registerAliceAndBob();
    advanceMs(TTL_MS / 2);
    assertNotNull(register(coordinator, "bob", BOB_PRIV, BOB_PUB));
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));

    advanceMs(TTL_MS / 2 + 100);
    assertEquals(0, coordinator.expire());
    assertNotNull(coordinator.connect(new Connect(1, "alice", "bob"), ALICE_PUB).introduction());

    advanceMs(TTL_MS);
    assertEquals(2, coordinator.expire());
    assertEquals(0, coordinator.size());
  }

  @Test
  void unregisterOnlyFromRegisteredAddress() {
    registerAliceAndBob();

    assertFalse(coordinator.unregister("alice", MALLORY));
    assertFalse(coordinator.unregister("alice", null));
    assertNotNull(registry.get("alice", clock.millis()));

    assertTrue(coordinator.unregister("alice", ALICE_PUB));
    assertNull(registry.get("alice", clock.millis()));
    assertEquals(1, coordinator.size());
    assertFalse(coordinator.unregister("alice", ALICE_PUB));
  }

  @Test
  void aConnectSentAgainOrCrossedKeepsTheTokenALaterOneGetsAFreshOne() {
    registerAliceAndBob();
    long t1 = coordinator.connect(new Connect(1, "alice", "bob"), ALICE_PUB).introduction().toRequester().token();
    long again = coordinator.connect(new Connect(1, "alice", "bob"), ALICE_PUB).introduction().toRequester().token();
    long crossing = coordinator.connect(new Connect(7, "bob", "alice"), BOB_PUB).introduction().toTarget().token();
    // the same CONNECT again (lost answer, duplicate), or the other side's crossing it: one token for both sides
    assertEquals(t1, again);
    assertEquals(t1, crossing);
    now[0] += (Coordinator.CROSSING_MS + 1) * 1_000_000L;
    registerAliceAndBob();
    long later = coordinator.connect(new Connect(8, "bob", "alice"), BOB_PUB).introduction().toTarget().token();
    assertNotEquals(t1, later, "a later CONNECT (a session starting over) gets a fresh token");
    now[0] += (Coordinator.CROSSING_MS + 1) * 1_000_000L;
    registerAliceAndBob();
    long newTxn = coordinator.connect(new Connect(2, "alice", "bob"), ALICE_PUB).introduction().toRequester().token();
    assertNotEquals(later, newTxn, "a new CONNECT of the same side is a new attempt");
    assertNotEquals(0, newTxn);
  }

  /** A record another coordinator of the cluster holds: introduced with its public endpoint, both tokens equal. */
  @Test
  void introducesARecordOfAnotherCoordinator() {
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    PeerRecord remote = new PeerRecord("bob", BOB_PUB, BOB_PRIV, io.p2pnode.wire.NatType.ENDPOINT_INDEPENDENT, "c2", null, 0,
      Long.MAX_VALUE);
    assertFailure(coordinator.connect(new Connect(1, "alice", "bob"), ALICE_PUB), 404, 1);
    Coordinator.Introduction intro = coordinator.introduce(new Connect(2, "alice", "bob"), ALICE_PUB, remote).introduction();
    assertEquals(BOB_PUB, intro.toRequester().publicEndpoint());
    assertEquals(BOB_PRIV, intro.toRequester().privateEndpoints());
    assertEquals(ALICE_PUB, intro.toTarget().publicEndpoint());
    assertEquals(intro.toRequester().token(), intro.toTarget().token());
    // the requester must still be registered here, from where it asks
    assertFailure(coordinator.introduce(new Connect(3, "alice", "bob"), MALLORY, remote), 503, 3);
    assertFailure(coordinator.introduce(new Connect(4, "alice", "bob"), ALICE_PUB, null), 404, 4);
  }

  /** Relay to a peer not registered here: accepted (charged) with no local destination, for the cluster to route. */
  @Test
  void relayToAPeerOfAnotherCoordinatorHasNoLocalDestination() {
    assertNotNull(register(coordinator, "alice", ALICE_PRIV, ALICE_PUB));
    Coordinator.Forward f = coordinator.relay(new io.p2pnode.wire.ControlMessage.Relay("alice", "bob", new byte[10]), ALICE_PUB);
    assertNotNull(f);
    assertNull(f.to());
    assertNull(coordinator.relay(new io.p2pnode.wire.ControlMessage.Relay("alice", "bob", new byte[10]), MALLORY));
  }

  /** A self-certifying id registers only with its own key; a name stays bound to its key while registered. */
  @Test
  void peerIdsAreBoundToKeys() {
    io.p2pnode.crypto.Identity real = io.p2pnode.crypto.Identity.generate();
    io.p2pnode.wire.PeerKey realKey = io.p2pnode.wire.PeerKey.of(real.publicKey());
    io.p2pnode.wire.PeerKey otherKey = io.p2pnode.wire.PeerKey.of(io.p2pnode.crypto.Identity.generate().publicKey());
    // table: peer id, key, expected refusal (null = accepted); rows run in order against one registry
    Object[][] rows = {
      {real.peerId(), otherKey, io.p2pnode.transport.Drop.KEY_MISMATCH}, // someone else's self-certifying id
      {real.peerId(), realKey, null},
      {"carol", otherKey, null}, // a name binds to its first key...
      {"carol", realKey, io.p2pnode.transport.Drop.KEY_MISMATCH}, // ...and nobody else's while registered
      {"carol", otherKey, null}, // its owner refreshes
    };
    for (Object[] row : rows) {
      Coordinator.Registration r = coordinator.register(new Register(1, io.p2pnode.wire.NatType.UNKNOWN, (String) row[0],
        (io.p2pnode.wire.PeerKey) row[1], List.of()), MALLORY);
      assertEquals(row[2], r.refused(), java.util.Arrays.toString(row));
      assertEquals(row[2] == null, r.ack() != null);
    }
    advanceMs(TTL_MS + 1); // carol's registration lapsed: the name is free again
    assertNull(coordinator.register(new Register(2, io.p2pnode.wire.NatType.UNKNOWN, "carol", realKey, List.of()), MALLORY).refused());
    assertEquals(realKey, coordinator.registered("carol").key());
  }
}
