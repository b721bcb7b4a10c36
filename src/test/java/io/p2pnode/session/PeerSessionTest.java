package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.config.HeartbeatOptions;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.RecordingSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The session state machine driven by a manual clock and a recording socket. */
class PeerSessionTest {
  static final InetSocketAddress PUBLIC = new InetSocketAddress("203.0.113.7", 4000);
  static final InetSocketAddress LAN = new InetSocketAddress("192.168.1.7", 7700);
  static final int REMOTE_SID = 77;
  static final int LOCAL_SID = 42;
  static final long TOKEN = 0x1234;

  ManualScheduler clock;
  RecordingSocket socket;
  Counters counters;
  List<String> events;
  List<SessionCodec.Data> delivered;
  Promise<Object> nextDelivery;
  PunchStats stats;
  PeerSession s;

  @BeforeEach
  void setUp() {
    build(1000);
  }

  /** (Re)builds the session under test with this connect timeout. */
  void build(long connectTimeoutMs) {
    build(connectTimeoutMs, new InetSocketAddress("127.0.0.1", 7700));
  }

  /** (Re)builds the session under test with this connect timeout on a socket bound to {@code local}. */
  void build(long connectTimeoutMs, InetSocketAddress local) {
    clock = new ManualScheduler();
    stats = new PunchStats();
    socket = new RecordingSocket(local);
    counters = new Counters();
    events = new ArrayList<>();
    delivered = new ArrayList<>();
    SessionOptions so = SessionOptionsFixture.of(connectTimeoutMs, 100, 2);
    HeartbeatOptions hb = new HeartbeatOptions().setIntervalMs(200).setTimeoutMs(1000);
    SessionDeps deps = new SessionDeps("me", so, hb, 1200, clock, counters, (from, data) -> {
      delivered.add(data);
      nextDelivery = Promise.promise();
      return nextDelivery.future();
    }, () -> io.p2pnode.wire.NatType.ENDPOINT_INDEPENDENT, () -> null, stats, new java.util.concurrent.atomic.AtomicLong(), hb::intervalMs,
      null); // unencrypted: these tests drive the path logic with hand-made HELLOs (SessionPair runs encrypted)
    s = new PeerSession(deps, "peer", LOCAL_SID, socket, new SessionListener() {
      public void onUp(PeerSession x) { events.add("up " + x.path().wireName()); }
      public void onDown(PeerSession x, String reason) { events.add("down " + reason); }
      public void onPathChanged(PeerSession x, Path previous) { events.add("path " + previous.wireName() + "->" + x.path().wireName()); }
    });
  }

  // ------------------------------------------------------------ helpers

  ByteBuf helloAck(long token, long ts) {
    return ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, new ControlMessage.Hello(true, token, "peer", REMOTE_SID, ts), LOCAL_SID);
  }

  ByteBuf frame(FrameType type, Consumer<ByteBuf> payload) {
    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer();
    FrameCodec.writeHeader(b, type, 0, LOCAL_SID, 1);
    payload.accept(b);
    return b;
  }

  void up() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(PeerSession.State.UP, s.state());
    socket.drain();
  }

  static FrameType typeOf(RecordingSocket.Sent sent) {
    return FrameCodec.check(sent.data());
  }

  static int code(Future<?> f) {
    assertTrue(f.failed(), "expected failure, got " + f);
    return ((ReplyException) f.cause()).failureCode();
  }

  // ------------------------------------------------------------ transitions

  /** Events applied to a session in CONNECTING (after introduce) and the state each leads to. */
  enum FromConnecting {
    HELLO_ACK_WITH_TOKEN(PeerSession.State.UP),
    HELLO_WITH_TOKEN(PeerSession.State.UP),
    HELLO_ACK_WRONG_TOKEN(PeerSession.State.CONNECTING),
    HELLO_WRONG_TOKEN(PeerSession.State.CONNECTING),
    CONNECT_TIMEOUT(PeerSession.State.CLOSED),
    HEARTBEAT_SILENCE(PeerSession.State.CONNECTING),
    CLOSE(PeerSession.State.CLOSED);

    final PeerSession.State expected;

    FromConnecting(PeerSession.State expected) {
      this.expected = expected;
    }
  }

  @ParameterizedTest
  @EnumSource(FromConnecting.class)
  void transitionsFromConnecting(FromConnecting event) {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    switch (event) {
      case HELLO_ACK_WITH_TOKEN -> s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
      case HELLO_WITH_TOKEN -> s.onHello(new ControlMessage.Hello(false, TOKEN, "peer", REMOTE_SID, 0), LAN);
      case HELLO_ACK_WRONG_TOKEN -> s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN + 1, 0), PUBLIC);
      case HELLO_WRONG_TOKEN -> s.onHello(new ControlMessage.Hello(false, TOKEN + 1, "peer", REMOTE_SID, 0), LAN);
      case CONNECT_TIMEOUT -> clock.advance(1100);
      case HEARTBEAT_SILENCE -> {
        clock.advance(500);
        s.tick();
      }
      case CLOSE -> s.close("test", true);
    }
    assertEquals(event.expected, s.state());
  }

  /** Events applied to an UP session. */
  enum FromUp {
    SILENCE_PAST_TIMEOUT(PeerSession.State.CLOSED),
    IDLE_PAST_INTERVAL(PeerSession.State.UP),
    BYE(PeerSession.State.CLOSED),
    PING(PeerSession.State.UP),
    CLOSE(PeerSession.State.CLOSED);

    final PeerSession.State expected;

    FromUp(PeerSession.State expected) {
      this.expected = expected;
    }
  }

  @ParameterizedTest
  @EnumSource(FromUp.class)
  void transitionsFromUp(FromUp event) {
    up();
    switch (event) {
      case SILENCE_PAST_TIMEOUT -> {
        clock.advance(1000);
        s.tick();
      }
      case IDLE_PAST_INTERVAL -> {
        clock.advance(250);
        s.tick();
      }
      case BYE -> s.onFrame(FrameType.BYE, frame(FrameType.BYE, b -> b.writeByte(0)), PUBLIC);
      case PING -> s.onFrame(FrameType.PING, frame(FrameType.PING, b -> b.writeLong(5)), PUBLIC);
      case CLOSE -> s.close("test", true);
    }
    assertEquals(event.expected, s.state());
  }

  // ------------------------------------------------------------ punching

  @Test
  void punchesEveryCandidateAtThePacedIntervalUntilAnswered() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(LAN)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    assertEquals(2, socket.sent.size());
    assertEquals(List.of(PUBLIC, LAN), socket.sent.stream().map(RecordingSocket.Sent::to).toList());
    assertTrue(socket.sent.stream().allMatch(x -> typeOf(x) == FrameType.HELLO));
    clock.advance(100);
    assertEquals(4, socket.sent.size());
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), LAN);
    assertEquals(Path.DIRECT_LAN, s.path());
    assertEquals(List.of("up direct-lan"), events);
    socket.drain();
    clock.advance(1000);
    assertTrue(socket.sent.isEmpty(), "no punches after lock");
  }

  // ------------------------------------------------------------ IPv6

  static final InetSocketAddress V6 = new InetSocketAddress("2001:db8:b::10", 7700);
  static final InetSocketAddress DUAL_STACK = new InetSocketAddress("::", 7700);

  /** An IPv4 answer waits {@code session.lanGraceMs} (100 ms) for the peer's IPv6 candidate, which wins. */
  @Test
  void ipv6AnswerWithinTheGraceWinsOverAnEarlierIpv4One() {
    build(1000, DUAL_STACK);
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(V6)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    assertEquals(List.of(V6, PUBLIC), socket.sent.stream().map(RecordingSocket.Sent::to).toList(), "IPv6 punched first");
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(PeerSession.State.CONNECTING, s.state(), "IPv4 answered: waits for IPv6");
    clock.advance(50);
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), V6);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(V6, s.remote());
    assertEquals(Path.DIRECT, s.path());
    clock.advance(200);
    assertEquals(V6, s.remote(), "the grace timer did not put IPv4 back");
    assertEquals(List.of("up direct"), events);
  }

  @Test
  void ipv4WinsWhenIpv6StaysSilentThroughTheGrace() {
    build(1000, DUAL_STACK);
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(V6)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    clock.advance(100);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(PUBLIC, s.remote());
    // IPv6 answering later still moves the path up; an IPv4 answer never moves it back down
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), V6);
    assertEquals(V6, s.remote());
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(V6, s.remote());
    assertEquals(List.of("up direct", "path direct->direct"), events);
  }

  @Test
  void ipv6FirstLocksAtOnce() {
    build(1000, DUAL_STACK);
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(V6)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), V6);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(V6, s.remote());
  }

  /** An IPv4-only listener leaves IPv6 candidates out (it could not send to them), and waits for none. */
  @Test
  void anIpv4ListenerPunchesIpv4CandidatesOnly() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(V6)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    assertEquals(List.of(PUBLIC), socket.sent.stream().map(RecordingSocket.Sent::to).toList());
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(PeerSession.State.UP, s.state(), "no grace for a candidate it cannot reach");
  }

  @Test
  void helloFromPeerIsAnsweredWithAckCarryingOurSessionId() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    socket.drain();
    s.onHello(new ControlMessage.Hello(false, TOKEN, "peer", REMOTE_SID, 99), PUBLIC);
    RecordingSocket.Sent ack = socket.sent.get(0);
    assertEquals(FrameType.HELLO_ACK, typeOf(ack));
    assertEquals(REMOTE_SID, FrameCodec.sessionId(ack.data()));
    ack.data().skipBytes(FrameCodec.HEADER_BYTES);
    ControlMessage.Hello h = (ControlMessage.Hello) ControlMessage.decode(FrameType.HELLO_ACK, ack.data());
    assertEquals(LOCAL_SID, h.senderSessionId());
    assertEquals(99, h.timestamp());
    assertEquals(PUBLIC, s.remote());
  }

  @Test
  void wrongTokenIsCountedAndIgnored() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onHello(new ControlMessage.Hello(false, 666, "peer", REMOTE_SID, 0), PUBLIC);
    assertEquals(1, counters.drops(Drop.HELLO_REJECTED));
    assertNull(s.remote());
  }

  @Test
  void connectTimeoutFailsWaitersWith503() {
    Future<PeerSession> w = s.whenUp();
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    clock.advance(1100);
    assertEquals(503, code(w));
    assertTrue(events.get(0).startsWith("down no candidate answered"), events.toString());
  }

  @Test
  void helloAckSamplesRtt() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    long sentAt = clock.clock().nanoTime();
    clock.advance(30);
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, sentAt), PUBLIC);
    assertEquals(30.0, s.rtt().srttMs(), 0.001);
  }

  @Test
  void movedPeerChangesPath() {
    up();
    s.introduce(TOKEN + 1, Candidate.of(PUBLIC, List.of(LAN)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onHello(new ControlMessage.Hello(false, TOKEN + 1, "peer", REMOTE_SID, 0), LAN);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(LAN, s.remote());
    assertEquals("path direct->direct-lan", events.get(events.size() - 1));
  }

  // ------------------------------------------------------------ liveness

  @Test
  void keepaliveOnlyWhenIdleAndPongGivesRtt() {
    up();
    clock.advance(100);
    s.tick();
    assertTrue(socket.sent.isEmpty(), "not idle yet");
    clock.advance(150);
    s.tick();
    assertEquals(FrameType.PING, typeOf(socket.sent.get(0)));
    long ts = socket.sent.get(0).data().getLong(FrameCodec.HEADER_BYTES);
    clock.advance(12);
    s.onFrame(FrameType.PONG, frame(FrameType.PONG, b -> b.writeLong(ts)), PUBLIC);
    assertEquals(12.0, s.rtt().latestMs(), 0.001);
  }

  @Test
  void pingIsAnsweredWithPongEchoingTimestamp() {
    up();
    s.onFrame(FrameType.PING, frame(FrameType.PING, b -> b.writeLong(1234)), PUBLIC);
    RecordingSocket.Sent pong = socket.sent.get(0);
    assertEquals(FrameType.PONG, typeOf(pong));
    assertEquals(1234, pong.data().getLong(FrameCodec.HEADER_BYTES));
    assertEquals(REMOTE_SID, FrameCodec.sessionId(pong.data()));
  }

  @Test
  void silenceClosesAndFailsPendingWith503() {
    up();
    Future<Object> f = s.send(SessionCodec.KIND_REQUEST, "a", "x", 60_000);
    for (int i = 0; i < 5; i++) {
      clock.advance(200);
      s.tick();
    }
    assertEquals(PeerSession.State.CLOSED, s.state());
    assertEquals(503, code(f));
    assertTrue(events.get(events.size() - 1).startsWith("down no packet for 1000 ms"), events.toString());
  }

  @Test
  void closeSendsByeOnce() {
    up();
    s.close("bye", true);
    s.close("again", true);
    assertEquals(1, socket.sent.size());
    assertEquals(FrameType.BYE, typeOf(socket.sent.get(0)));
  }

  // ------------------------------------------------------------ LAN preference, relay, recovery

  static final InetSocketAddress COORD = new InetSocketAddress("198.51.100.1", 7700);

  @Test
  void lanCandidateAnsweringWithinGraceWins() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(LAN)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(PeerSession.State.CONNECTING, s.state(), "public answer waits for the LAN grace");
    clock.advance(50);
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), LAN);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(Path.DIRECT_LAN, s.path());
  }

  @Test
  void publicCandidateWinsWhenNoLanAnswerWithinGrace() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of(LAN)), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    clock.advance(100);
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(Path.DIRECT, s.path());
  }

  @Test
  void fallsBackToRelayAfterRelayAfterMs() {
    build(5000);
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), COORD, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS - 1);
    assertTrue(socket.sent.stream().noneMatch(x -> x.to().equals(COORD)), "no relay before relayAfterMs");
    clock.advance(1);
    RecordingSocket.Sent viaRelay = socket.sent.stream().filter(x -> x.to().equals(COORD)).findFirst().orElseThrow();
    assertEquals(FrameType.RELAY, FrameCodec.check(viaRelay.data()));
    viaRelay.data().skipBytes(FrameCodec.HEADER_BYTES);
    ControlMessage.Relay r = (ControlMessage.Relay) ControlMessage.decode(FrameType.RELAY, viaRelay.data());
    assertEquals("me", r.from());
    assertEquals("peer", r.to());
    // the peer's answer comes back relayed
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), new io.p2pnode.transport.RelayEndpoint(COORD, "peer"));
    assertEquals(PeerSession.State.UP, s.state());
    assertEquals(Path.RELAY, s.path());
    // data now leaves wrapped for the coordinator
    socket.drain();
    s.send(SessionCodec.KIND_SEND, "a", "via relay", 1000);
    clock.advance(1); // sends leave together at the end of the burst
    assertEquals(COORD, socket.sent.get(0).to());
    assertEquals(FrameType.RELAY, FrameCodec.check(socket.sent.get(0).data()));
  }

  @Test
  void relaySessionUpgradesToDirectInTheBackground() {
    build(5000);
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), COORD, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    clock.advance(SessionOptions.DEFAULT_RELAY_AFTER_MS);
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), new io.p2pnode.transport.RelayEndpoint(COORD, "peer"));
    assertEquals(Path.RELAY, s.path());
    socket.drain();
    clock.advance(SessionOptions.DEFAULT_UPGRADE_INTERVAL_MS);
    assertTrue(socket.sent.stream().anyMatch(x -> x.to().equals(PUBLIC) && typeOf(x) == FrameType.HELLO), "upgrade punches");
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), PUBLIC);
    assertEquals(Path.DIRECT, s.path());
    assertEquals("path relay->direct", events.get(events.size() - 1));
    // a late relayed answer does not pull the session back to the relay
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), new io.p2pnode.transport.RelayEndpoint(COORD, "peer"));
    assertEquals(Path.DIRECT, s.path());
  }

  @Test
  void silentPathIsPunchedAgainBeforeThePeerIsDeclaredDown() {
    up();
    clock.advance(200);
    s.tick();
    clock.advance(200);
    s.tick();
    assertTrue(socket.sent.stream().anyMatch(x -> typeOf(x) == FrameType.HELLO), "re-punch after 2 silent intervals");
    assertEquals(PeerSession.State.UP, s.state());
    s.onFrame(FrameType.HELLO_ACK, helloAck(TOKEN, 0), LAN); // the peer moved to another address
    assertEquals(LAN, s.remote());
    clock.advance(700);
    s.tick();
    assertEquals(PeerSession.State.UP, s.state(), "the answer reset the silence");
  }

  // ------------------------------------------------------------ hostile input

  @Test
  void helloBeforeAnyIntroductionIsRejected() {
    s.onHello(new ControlMessage.Hello(false, 0, "peer", REMOTE_SID, 0), PUBLIC);
    assertEquals(PeerSession.State.CONNECTING, s.state());
    assertEquals(1, counters.drops(Drop.HELLO_REJECTED));
  }

  @Test
  void reIntroductionDoesNotStackPunchTimers() {
    s.introduce(TOKEN, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    s.introduce(TOKEN + 1, Candidate.of(PUBLIC, List.of()), null, io.p2pnode.wire.NatType.UNKNOWN, io.p2pnode.TestKeys.of("peer"));
    socket.drain();
    clock.advance(100);
    assertEquals(1, socket.sent.size(), "one punch chain, not two");
  }
}
