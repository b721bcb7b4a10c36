package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.TestKeys;
import io.p2pnode.config.HeartbeatOptions;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.dataplane.RttEstimator;
import io.p2pnode.dataplane.SessionCrypto;
import io.p2pnode.session.PathFinder.State;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.RecordingSocket;
import io.p2pnode.transport.RelayEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The path-finding state machine on its own: a manual clock and a host that records what it is
 * asked to send, the paths it is told about and every transition. A transition table drives it
 * from each state it can be in; scenario tests follow whole paths (relay, upgrade, recovery).
 */
class PathFinderTest {
  static final InetSocketAddress PUBLIC = new InetSocketAddress("203.0.113.7", 4000);
  static final InetSocketAddress OTHER = new InetSocketAddress("203.0.113.8", 4001);
  static final InetSocketAddress COORD = new InetSocketAddress("198.51.100.1", 7700);
  static final RelayEndpoint VIA_RELAY = new RelayEndpoint(COORD, "peer");
  static final int LOCAL_SID = 42;
  static final int REMOTE_SID = 77;
  static final long TOKEN = 0x1234;
  static final long CONNECT_TIMEOUT_MS = 5_000;
  static final long PUNCH_MS = 100;
  static final long KEEPALIVE_MS = 200;

  ManualScheduler clock;
  Counters counters;
  PathFinder finder;
  final List<String> transitions = new ArrayList<>();
  final List<String> locked = new ArrayList<>();
  final List<InetSocketAddress> sent = new ArrayList<>();
  final List<String> failed = new ArrayList<>();
  int heard;

  @BeforeEach
  void setUp() {
    clock = new ManualScheduler();
    counters = new Counters();
    SessionOptions so = SessionOptionsFixture.of(CONNECT_TIMEOUT_MS, PUNCH_MS, 2);
    HeartbeatOptions hb = new HeartbeatOptions().setIntervalMs(KEEPALIVE_MS).setTimeoutMs(1000);
    SessionDeps deps = new SessionDeps("me", so, hb, 1200, clock, counters, (from, data) -> null, () -> NatType.ENDPOINT_INDEPENDENT,
      () -> null, new PunchStats(), new java.util.concurrent.atomic.AtomicLong(), hb::intervalMs, null); // unencrypted HELLOs
    SessionCrypto crypto = new SessionCrypto(null, "peer", counters, so.rekeyAfterPackets(), so.rekeyAfterMs(), clock.clock());
    RecordingSocket socket = new RecordingSocket(new InetSocketAddress("127.0.0.1", 7700));
    finder = new PathFinder(deps, "peer", LOCAL_SID, socket, crypto, new RttEstimator(), new PathOwner() {
      public void sendTo(ByteBuf frame, InetSocketAddress to) {
        sent.add(to);
        frame.release();
      }

      public void heard() {
        heard++;
      }

      public void locked(Candidate c, Path previous, boolean moved, boolean resend) {
        locked.add((previous == null ? "-" : previous.wireName()) + "->" + c.path().wireName() + (resend ? " resend" : ""));
      }

      public void peerStartedOver() {
        locked.add("peer started over");
      }

      public void failed(String reason) {
        failed.add(reason);
        finder.close(); // as the session does: it closes
      }

      public void transitioned(State from, State to, String why) {
        transitions.add(from + "->" + to);
      }
    });
  }

  // ------------------------------------------------------------ helpers

  void introduce(InetSocketAddress relay) {
    finder.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), List.of(), false, relay, NatProfile.of(NatType.UNKNOWN),
      TestKeys.of("peer"));
  }

  void helloAck(InetSocketAddress from) {
    ByteBuf ack = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, new ControlMessage.Hello(true, TOKEN, "peer", REMOTE_SID, 0),
      LOCAL_SID);
    try {
      finder.onHelloAck(ack, from);
    } finally {
      ack.release();
    }
  }

  void hello(InetSocketAddress from) {
    finder.onHello(new ControlMessage.Hello(false, TOKEN, "peer", REMOTE_SID, 0), from);
  }

  /** The finder on the relay, its first attempt over: FALLBACK. */
  void onFallback() {
    introduce(COORD);
    clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS);
    helloAck(VIA_RELAY);
    clock.advance(CONNECT_TIMEOUT_MS + PUNCH_MS);
    assertEquals(State.FALLBACK, finder.state());
  }

  /** From {@link #onFallback}: to the moment the upgrade is due ({@code session.upgradeIntervalMs} after the lock). */
  void untilUpgrade() {
    clock.advance(SessionOptions.DEFAULT_UPGRADE_INTERVAL_MS - CONNECT_TIMEOUT_MS - PUNCH_MS);
  }

  /** The finder on the relay, punching again for an upgrade: UPGRADING. */
  void onUpgrade() {
    onFallback();
    untilUpgrade();
    assertEquals(State.UPGRADING, finder.state());
  }

  void onDirect() {
    introduce(null);
    helloAck(PUBLIC);
    assertEquals(State.DIRECT, finder.state());
  }

  void onRecovering() {
    onDirect();
    finder.pathSilent(1000 - 2 * KEEPALIVE_MS);
    assertEquals(State.RECOVERING, finder.state());
  }

  // ------------------------------------------------------------ transition table

  /** From a state, an event, and the state it leads to. */
  enum Row {
    IDLE_INTRODUCED(PathFinderTest::nothing, t -> t.introduce(null), State.PUNCHING),
    IDLE_HELLO_REJECTED(PathFinderTest::nothing, t -> t.hello(PUBLIC), State.IDLE),
    PUNCHING_ANSWERED(t -> t.introduce(null), t -> t.helloAck(PUBLIC), State.DIRECT),
    PUNCHING_HELLO_FROM_PEER(t -> t.introduce(null), t -> t.hello(PUBLIC), State.DIRECT),
    PUNCHING_RELAY_ANSWERED(t -> t.introduce(COORD), t -> {
      t.clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS);
      t.helloAck(VIA_RELAY);
    }, State.UPGRADING),
    PUNCHING_TIMEOUT(t -> t.introduce(null), t -> t.clock.advance(CONNECT_TIMEOUT_MS + PUNCH_MS), State.CLOSED),
    UPGRADING_FIRST_ATTEMPT_OVER(t -> {
      t.introduce(COORD);
      t.clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS);
      t.helloAck(VIA_RELAY);
    }, t -> t.clock.advance(CONNECT_TIMEOUT_MS + PUNCH_MS), State.FALLBACK),
    FALLBACK_UPGRADE_DUE(PathFinderTest::onFallback, PathFinderTest::untilUpgrade, State.UPGRADING),
    FALLBACK_PEER_UPGRADES(PathFinderTest::onFallback, t -> t.hello(VIA_RELAY), State.UPGRADING),
    UPGRADING_ANSWERED(PathFinderTest::onUpgrade, t -> t.helloAck(PUBLIC), State.DIRECT),
    UPGRADING_NO_ANSWER(PathFinderTest::onUpgrade, t -> t.clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS + PUNCH_MS),
      State.FALLBACK),
    UPGRADING_SILENT(PathFinderTest::onUpgrade, t -> t.finder.pathSilent(600), State.RECOVERING),
    DIRECT_SILENT(PathFinderTest::onDirect, t -> t.finder.pathSilent(600), State.RECOVERING),
    DIRECT_FRAME(PathFinderTest::onDirect, t -> t.finder.onAuthenticated(PUBLIC), State.DIRECT),
    RECOVERING_PATH_BACK(PathFinderTest::onRecovering, t -> t.finder.onAuthenticated(PUBLIC), State.DIRECT),
    RECOVERING_ANSWERED_ELSEWHERE(PathFinderTest::onRecovering, t -> t.helloAck(OTHER), State.DIRECT),
    RECOVERING_ATTEMPT_OVER(PathFinderTest::onRecovering, t -> t.clock.advance(600 + PUNCH_MS), State.DIRECT),
    RECOVERING_RELAY_ANSWERED(t -> {
      t.introduce(COORD);
      t.helloAck(PUBLIC);
      t.finder.pathSilent(2 * SessionOptions.DEFAULT_RELAY_AFTER_MS);
    }, t -> {
      t.clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS);
      t.helloAck(VIA_RELAY);
    }, State.UPGRADING),
    DIRECT_CLOSED(PathFinderTest::onDirect, t -> t.finder.close(), State.CLOSED),
    FALLBACK_CLOSED(PathFinderTest::onFallback, t -> t.finder.close(), State.CLOSED);

    final Consumer<PathFinderTest> given;
    final Consumer<PathFinderTest> when;
    final State then;

    Row(Consumer<PathFinderTest> given, Consumer<PathFinderTest> when, State then) {
      this.given = given;
      this.when = when;
      this.then = then;
    }
  }

  void nothing() {
  }

  @ParameterizedTest
  @EnumSource(Row.class)
  void transitionTable(Row row) {
    row.given.accept(this);
    State before = finder.state();
    int seen = transitions.size();
    row.when.accept(this);
    assertEquals(row.then, finder.state(), row + " from " + before);
    if (before == row.then) {
      assertEquals(seen, transitions.size(), "no transition reported: " + transitions.subList(seen, transitions.size()));
    } else {
      assertEquals(row.then.name(), last(transitions).split("->")[1], "the last transition reported is the one observed");
    }
  }

  // ------------------------------------------------------------ scenarios

  @Test
  void directAnswerIsLockedAndPunchingStops() {
    introduce(null);
    assertEquals(List.of(PUBLIC), sent, "a punch at once");
    helloAck(PUBLIC);
    assertEquals(List.of("IDLE->PUNCHING", "PUNCHING->DIRECT"), transitions);
    assertEquals(List.of("-->direct"), locked);
    assertEquals(Path.DIRECT, finder.winner().path());
    assertEquals(REMOTE_SID, finder.remoteSessionId());
    assertEquals(1, heard);
    sent.clear();
    clock.advance(CONNECT_TIMEOUT_MS);
    assertTrue(sent.isEmpty(), "no punches after the lock: " + sent);
  }

  @Test
  void timeoutWithoutRelayFailsOnceAndCloses() {
    introduce(null);
    clock.advance(CONNECT_TIMEOUT_MS);
    assertEquals(List.of("IDLE->PUNCHING", "PUNCHING->FAILED", "FAILED->CLOSED"), transitions);
    assertEquals(List.of("no candidate answered within " + CONNECT_TIMEOUT_MS + " ms"), failed);
    assertTrue(locked.isEmpty());
  }

  @Test
  void relayThenUpgradeThenDirect() {
    onFallback();
    assertEquals(List.of("IDLE->PUNCHING", "PUNCHING->UPGRADING", "UPGRADING->FALLBACK"), transitions);
    assertEquals(List.of("-->relay"), locked);
    assertEquals(VIA_RELAY, finder.remote());
    sent.clear();
    untilUpgrade();
    assertTrue(sent.contains(PUBLIC), "the upgrade punches the direct candidate");
    assertTrue(sent.contains(VIA_RELAY), "and says so to the peer through the relay");
    helloAck(PUBLIC);
    assertEquals("UPGRADING->DIRECT", last(transitions));
    assertEquals("relay->direct resend", last(locked));
    sent.clear();
    clock.advance(2 * SessionOptions.DEFAULT_UPGRADE_INTERVAL_MS);
    assertTrue(sent.isEmpty(), "no more upgrades once direct: " + sent);
  }

  @Test
  void upgradeWithoutAnswerKeepsTheRelayAndTriesAgainLater() {
    onUpgrade();
    clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS + PUNCH_MS);
    assertEquals(State.FALLBACK, finder.state());
    assertEquals(Path.RELAY, finder.winner().path());
    clock.advance(SessionOptions.DEFAULT_UPGRADE_INTERVAL_MS - SessionOptions.DEFAULT_RELAY_AFTER_MS - PUNCH_MS);
    assertEquals(State.UPGRADING, finder.state(), "the next upgrade");
    assertEquals(List.of("-->relay"), locked, "the path never changed");
  }

  @Test
  void recoveringPathThatComesBackNeedsNoNewLock() {
    onRecovering();
    assertTrue(finder.recovering());
    sent.clear();
    clock.advance(PUNCH_MS);
    assertTrue(sent.contains(PUBLIC), "punching again meanwhile");
    finder.onAuthenticated(PUBLIC);
    assertFalse(finder.recovering());
    assertEquals("RECOVERING->DIRECT", last(transitions));
    assertEquals(List.of("-->direct"), locked, "no new lock");
    sent.clear();
    clock.advance(1000);
    assertTrue(sent.isEmpty(), "punching stopped: " + sent);
  }

  @Test
  void aRecoveringPathAnsweredElsewhereMovesAndResends() {
    onRecovering();
    helloAck(OTHER);
    assertEquals(OTHER, finder.remote());
    assertEquals("direct->direct resend", last(locked));
  }

  @Test
  void aNewRemoteSessionIdWhileUpIsThePeerStartingOver() {
    onDirect();
    finder.onHello(new ControlMessage.Hello(false, TOKEN, "peer", REMOTE_SID + 1, 0), PUBLIC);
    assertTrue(locked.contains("peer started over"), String.valueOf(locked));
    assertEquals(REMOTE_SID + 1, finder.remoteSessionId());
  }

  @Test
  void answersWithTheWrongTokenAreCountedAndChangeNothing() {
    introduce(null);
    finder.onHello(new ControlMessage.Hello(false, TOKEN + 1, "peer", REMOTE_SID, 0), PUBLIC);
    assertEquals(State.PUNCHING, finder.state());
    assertEquals(1, counters.drops(Drop.HELLO_REJECTED));
  }

  @Test
  void nothingRunsOnceClosed() {
    introduce(COORD);
    finder.close();
    sent.clear();
    clock.advance(CONNECT_TIMEOUT_MS + SessionOptions.DEFAULT_UPGRADE_INTERVAL_MS);
    helloAck(PUBLIC);
    assertTrue(sent.isEmpty(), "no punch after close: " + sent);
    assertEquals(State.CLOSED, finder.state());
    assertTrue(locked.isEmpty());
    assertEquals("PUNCHING->CLOSED", last(transitions));
  }

  static String last(List<String> l) {
    assertFalse(l.isEmpty());
    return l.get(l.size() - 1);
  }
}
