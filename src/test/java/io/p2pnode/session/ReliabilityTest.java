package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BundleCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Reliable, ordered, fragmented, flow-controlled messaging between two sessions on a simulated link. */
class ReliabilityTest {

  static int code(Future<?> f) {
    assertTrue(f.failed(), "expected failure, got " + f);
    return ((ReplyException) f.cause()).failureCode();
  }

  @Test
  void sendIsDeliveredAndConfirmed() {
    SessionPair p = new SessionPair(new JsonObject());
    Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "app", "hello", 5_000);
    p.runUntil(f, 1_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(List.of("hello"), p.deliveredAtB.stream().map(SessionCodec.Data::body).toList());
  }

  /** A pair on a 1 ms path after {@code n} messages, one at a time: the RTT estimate has settled. */
  private static SessionPair warmedUp(int n) {
    SessionPair p = new SessionPair(new JsonObject());
    for (int i = 0; i < n; i++) {
      Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "app", "warm-up " + i, 5_000);
      p.runUntil(f, 1_000);
    }
    return p;
  }

  /**
   * A loopback-fast path (1 ms each way) whose acknowledgements are late for once (a receiver not
   * scheduled for 2 x 9 ms): RFC 9002's PTO would be about 8 ms and re-send data that was never
   * lost; the 25 ms floor waits for the acknowledgement instead.
   */
  @Test
  void aLateAcknowledgementOnAFastPathIsNotAProbeTimeout() {
    SessionPair p = warmedUp(20); // the RTT estimate settles at about 2 ms
    assertTrue(p.a.rtt().srttNanos() < 5_000_000L, "srtt " + p.a.rtt().srttNanos());
    p.delayMs = 9; // 18 ms until the acknowledgement comes back
    Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "app", "late", 5_000);
    p.runUntil(f, 1_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    JsonObject t = p.a.toJson().getJsonObject("transport");
    assertEquals(0, t.getLong("retransmittedChunks"), t.encode());
    assertEquals(0, t.getLong("lostPackets"), t.encode());
  }

  /**
   * A sender of data whose peer only acknowledges (no results) puts no ACK into its datagrams:
   * nothing it received asks for one. Before, an ACK rode in every datagram with room for it, and
   * each lost packet of the peer's left a gap in it for good (a re-send has a new number): at 1%
   * loss in the lossy lab, 283-byte ACKs took a fifth of the bottleneck. And once the peer
   * acknowledged a packet that carried an ACK, the ranges that ACK covered are not sent again
   * (RFC 9000 13.2.4).
   */
  @Test
  void aDataSenderDoesNotFillItsDatagramsWithAcks() {
    SessionPair p = warmedUp(20);
    p.loss = 0.02;
    String pad = "x".repeat(1000); // about a datagram each, with room left for an ACK
    int before = p.deliveredAtB.size();
    for (int i = 0; i < 1000; i++) p.a.send(SessionCodec.KIND_NOTIFY, "app", "m" + i + pad, 30_000);
    p.runUntil(() -> p.deliveredAtB.size() >= before + 1000, 60_000);
    JsonObject a = p.a.toJson().getJsonObject("transport");
    JsonObject b = p.b.toJson().getJsonObject("transport");
    assertTrue(a.getLong("lostPackets") >= BundleCodec.MAX_ACK_RANGES, "a lost enough to fill an ACK: " + a.encode());
    double ackShare = (double) a.getLong("ackBytesSent") / a.getLong("bytesAcked");
    assertTrue(ackShare < 0.01, "a's ACKs took " + ackShare + " of what it sent: " + a.encode() + " " + b.encode());
    for (int i = 0; i < 1000; i++) assertEquals("m" + i + pad, p.deliveredAtB.get(p.deliveredAtB.size() - 1000 + i).body());
  }

  /**
   * A probe timeout sends a PING first (RFC 9002 6.2.4). An acknowledgement later than the
   * timeout (2 x 20 ms against 25 ms) then costs one small datagram and nothing is sent again or
   * counted lost; a datagram really lost is found by the PING's acknowledgement and sent again.
   * Before, the timeout re-sent the oldest packet and told the controller it was lost.
   */
  @Test
  void aProbeTimeoutPingsFirstAndResendsOnlyWhatWasLost() {
    SessionPair p = warmedUp(20);
    p.delayMs = 20;
    Future<Object> late = p.a.send(SessionCodec.KIND_SEND, "app", "late", 5_000);
    p.runUntil(late, 1_000);
    assertTrue(late.succeeded(), String.valueOf(late.cause()));
    JsonObject t = p.a.toJson().getJsonObject("transport");
    assertTrue(t.getLong("probePings") >= 1, t.encode());
    assertEquals(0, t.getLong("retransmittedChunks"), t.encode());
    assertEquals(0, t.getLong("lostPackets"), t.encode());

    p.delayMs = 1;
    p.loss = 1.0; // the next datagram a sends is lost
    Future<Object> lost = p.a.send(SessionCodec.KIND_SEND, "app", "lost once", 5_000);
    p.clock.advance(1);
    p.loss = 0;
    p.runUntil(lost, 1_000);
    assertTrue(lost.succeeded(), String.valueOf(lost.cause()));
    t = p.a.toJson().getJsonObject("transport");
    assertTrue(t.getLong("retransmittedChunks") >= 1, t.encode());
    assertEquals(1, t.getLong("lostPackets"), t.encode());
    assertEquals("lost once", p.deliveredAtB.get(p.deliveredAtB.size() - 1).body());
  }

  /**
   * A path that carries small datagrams but not the message's (a black hole for large ones): the
   * probe PINGs get through and are acknowledged, yet the timeouts keep counting, so the session
   * still sees 2 in a row and has the path MTU checked (PeerSession.tick).
   */
  @Test
  void acknowledgedPingsDoNotHideDataThatDoesNotGetThrough() {
    SessionPair p = warmedUp(5);
    p.maxBytesAtoB = 200;
    Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "app", "x".repeat(1_000), 60_000);
    p.runUntil(f, 400);
    JsonObject t = p.a.toJson().getJsonObject("transport");
    assertFalse(f.isComplete());
    assertTrue(t.getLong("probePings") >= 1, t.encode());
    assertTrue(t.getLong("probeTimeouts") >= 2, t.encode());
  }

  @Test
  void requestGetsTheReplyAndFailuresTheirCode() {
    SessionPair p = new SessionPair(new JsonObject());
    Future<Object> echo = p.a.send(SessionCodec.KIND_REQUEST, "echo", new JsonObject().put("n", 1), 5_000);
    p.runUntil(echo, 1_000);
    assertEquals(new JsonObject().put("n", 1), echo.result());
    p.consumerB = (from, d) -> Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "no handlers"));
    Future<Object> none = p.a.send(SessionCodec.KIND_SEND, "nobody", "x", 5_000);
    p.runUntil(none, 1_000);
    assertEquals(404, code(none));
  }

  @Test
  void noResultInTimeIs504() {
    SessionPair p = new SessionPair(new JsonObject());
    p.consumerB = (from, d) -> Promise.promise().future(); // never answers
    Future<Object> f = p.a.send(SessionCodec.KIND_REQUEST, "slow", "x", 300);
    p.runUntil(f, 5_000);
    assertEquals(504, code(f));
  }

  @Test
  void aMegabyteMessageIsCutIntoDatagramsAndReassembled() {
    SessionPair p = new SessionPair(new JsonObject());
    byte[] big = new byte[1 << 20];
    new Random(1).nextBytes(big);
    Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "file", Buffer.buffer(big), 30_000);
    p.runUntil(f, 30_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(Buffer.buffer(big), p.deliveredAtB.get(0).body());
    assertTrue(p.datagramsAtoB > 900, "a megabyte takes about a thousand datagrams, sent " + p.datagramsAtoB);
  }

  @Test
  void overMaxMessageBytesIs413() {
    SessionPair p = new SessionPair(new JsonObject().put("maxMessageBytes", 10_000));
    assertEquals(413, code(p.a.send(SessionCodec.KIND_SEND, "a", "x".repeat(10_001), 1_000)));
    Future<Object> fits = p.a.send(SessionCodec.KIND_SEND, "a", "x".repeat(9_000), 5_000);
    p.runUntil(fits, 5_000);
    assertTrue(fits.succeeded());
  }

  @Test
  void smallMessagesShareDatagrams() {
    SessionPair p = new SessionPair(new JsonObject());
    long before = p.datagramsAtoB;
    List<Future<Object>> fs = new ArrayList<>();
    for (int i = 0; i < 200; i++) fs.add(p.a.send(SessionCodec.KIND_SEND, "a", "m" + i, 5_000));
    p.runUntil(Future.all(fs), 5_000);
    assertEquals(200, p.deliveredAtB.size());
    assertTrue(p.datagramsAtoB - before < 50, "200 small messages took " + (p.datagramsAtoB - before) + " datagrams");
  }

  /**
   * Streams: while a 2 MiB message to one address is on its way (through loss), small messages to
   * another address are handed over as they arrive, not after it; each address keeps its own order.
   */
  @Test
  void smallMessagesToAnotherAddressDoNotWaitBehindALargeOne() {
    SessionPair p = new SessionPair(new JsonObject().put("maxMessageBytes", 4 << 20));
    p.loss = 0.02;
    List<Future<Object>> fs = new ArrayList<>();
    fs.add(p.a.send(SessionCodec.KIND_SEND, "files", io.vertx.core.buffer.Buffer.buffer(new byte[2 << 20]), 120_000));
    for (int i = 0; i < 20; i++) fs.add(p.a.send(SessionCodec.KIND_SEND, "chat", "c" + i, 120_000));
    fs.add(p.a.send(SessionCodec.KIND_SEND, "files", "after the big one", 120_000));
    p.runUntil(Future.join(fs), 120_000);
    fs.forEach(f -> assertTrue(f.succeeded(), String.valueOf(f.cause())));
    List<String> order = p.deliveredAtB.stream().map(d -> d.address() + ":" + (d.body() instanceof String t ? t : "big")).toList();
    assertEquals(22, order.size());
    int big = order.indexOf("files:big");
    assertEquals(List.of("files:big", "files:after the big one"), order.stream().filter(o -> o.startsWith("files:")).toList());
    assertEquals(20, order.subList(0, big).stream().filter(o -> o.startsWith("chat:")).count(), "chat went first: " + order);
    List<String> chat = order.stream().filter(o -> o.startsWith("chat:")).toList();
    for (int i = 0; i < 20; i++) assertEquals("chat:c" + i, chat.get(i));
  }

  /**
   * Both sides start their data planes over (the peer opened a new session while ours stayed up):
   * a delivery the old one had under way completes later, and its answer must not reach the new
   * session, where the same message id now names another request.
   */
  @Test
  void aDiscardedDataPlaneSendsNothingIntoTheNewOne() {
    SessionPair p = new SessionPair(new JsonObject());
    List<io.vertx.core.Promise<Object>> held = new ArrayList<>();
    p.consumerB = (from, d) -> {
      io.vertx.core.Promise<Object> pr = io.vertx.core.Promise.promise();
      held.add(pr);
      return pr.future();
    };
    Future<Object> old = p.a.send(SessionCodec.KIND_REQUEST, "svc", "old", 5_000);
    p.runUntil(Future.future(x -> p.clock.schedule(100, () -> x.complete())), 200);
    assertEquals(1, held.size());
    p.b.peerStartedOver();
    p.a.peerStartedOver();
    assertEquals(503, code(old));
    Future<Object> fresh = p.a.send(SessionCodec.KIND_REQUEST, "svc", "fresh", 5_000);
    p.runUntil(Future.future(x -> p.clock.schedule(100, () -> x.complete())), 200);
    assertEquals(2, held.size(), "the new request reached b");
    held.get(0).complete("REPLY-TO-OLD");
    p.runUntil(Future.future(x -> p.clock.schedule(200, () -> x.complete())), 300);
    assertFalse(fresh.isComplete(), "the old data plane's answer completed the new request: " + fresh);
    held.get(1).complete("fresh reply");
    p.runUntil(fresh, 1_000);
    assertEquals("fresh reply", fresh.result());
  }

  /** A send nobody waits for: delivered reliably and in order, but only acknowledgements come back. */
  @Test
  void notifySendsGetNoResultBackOnlyAcknowledgements() {
    long[] back = new long[2];
    int i = 0;
    for (int kind : new int[] {SessionCodec.KIND_SEND, SessionCodec.KIND_NOTIFY}) {
      SessionPair p = new SessionPair(new JsonObject());
      p.loss = 0.05;
      long before = p.bytesBtoA;
      List<Future<Object>> fs = new ArrayList<>();
      for (int m = 0; m < 2_000; m++) fs.add(p.a.send(kind, "a", "m" + m, 60_000));
      fs.add(p.a.send(SessionCodec.KIND_SEND, "a", "last", 60_000)); // delivered after all before it
      p.runUntil(Future.join(fs), 60_000);
      fs.forEach(f -> assertTrue(f.succeeded(), String.valueOf(f.cause())));
      assertEquals(2_001, p.deliveredAtB.size());
      for (int m = 0; m < 2_000; m++) assertEquals("m" + m, p.deliveredAtB.get(m).body());
      back[i++] = p.bytesBtoA - before;
    }
    assertTrue(back[1] * 3 < back[0], "bytes back: send " + back[0] + ", notify " + back[1]);
  }

  /** Sends nobody waits for that the peer never acknowledged are counted when their session ends, not lost unseen. */
  @Test
  void notifiesUnacknowledgedWhenTheSessionClosesAreCounted() {
    SessionPair p = new SessionPair(new JsonObject());
    List<Future<Object>> early = new ArrayList<>();
    for (int m = 0; m < 2; m++) early.add(p.a.send(SessionCodec.KIND_NOTIFY, "x", "early" + m, 5_000));
    p.runUntil(Future.future(x -> p.clock.schedule(200, () -> x.complete())), 1_000);
    assertEquals(2, p.deliveredAtB.size(), "the early ones arrived and were acknowledged");
    p.loss = 1.0; // nothing reaches b any more
    for (int m = 0; m < 3; m++) p.a.send(SessionCodec.KIND_NOTIFY, "x", "late" + m, 5_000); // one datagram each, or queued
    p.a.send(SessionCodec.KIND_NOTIFY, "x", io.vertx.core.buffer.Buffer.buffer(new byte[100_000]), 5_000); // many chunks
    Future<Object> awaited = p.a.send(SessionCodec.KIND_SEND, "x", "its sender hears", 5_000);
    p.runUntil(Future.future(x -> p.clock.schedule(100, () -> x.complete())), 1_000);
    assertEquals(0, p.countersA.drops(io.p2pnode.transport.Drop.UNCONFIRMED_SEND_FAILED));
    p.a.close("test", false);
    assertEquals(4, p.countersA.drops(io.p2pnode.transport.Drop.UNCONFIRMED_SEND_FAILED),
      "the 4 unacknowledged notifies, not the 2 acknowledged ones nor the send whose sender hears");
    assertTrue(awaited.failed());
    early.forEach(f -> assertTrue(f.succeeded()));
  }

  @Test
  void aNotifyThatFailsAtTheReceiverIsCountedThere() {
    SessionPair p = new SessionPair(new JsonObject());
    p.consumerB = (from, d) -> Future.failedFuture(io.p2pnode.bus.Failure.NOT_FOUND.exception("no consumer at " + d.address()));
    Future<Object> f = p.a.send(SessionCodec.KIND_NOTIFY, "nobody.home", "hi", 5_000);
    p.runUntil(Future.future(x -> p.clock.schedule(200, () -> x.complete())), 1_000);
    assertTrue(f.succeeded());
    assertEquals(1, p.countersB.drops(io.p2pnode.transport.Drop.UNCONFIRMED_SEND_FAILED));
  }

  /** The acceptance test of the reliability layer: loss, duplication, reordering and jitter at once. */
  @Test
  void hundredThousandMessagesArriveExactlyOnceAndInOrderUnderLossDuplicationAndReordering() {
    SessionPair p = new SessionPair(new JsonObject().put("maxInFlight", 100_000));
    p.loss = 0.10;
    p.duplication = 0.05;
    p.delayMs = 5;
    p.jitterMs = 50; // packets overtake each other
    int n = 100_000;
    List<Future<Object>> fs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) fs.add(p.a.send(SessionCodec.KIND_SEND, "a", Integer.toString(i), 600_000));
    p.runUntil(Future.all(fs), 600_000);
    assertTrue(fs.stream().allMatch(Future::succeeded), "every send confirmed");
    assertEquals(n, p.deliveredAtB.size(), "exactly once");
    for (int i = 0; i < n; i++) assertEquals(Integer.toString(i), p.deliveredAtB.get(i).body(), "in order at " + i);
  }

  /** Several addresses at several urgencies, interleaved: each address keeps its own order, exactly once. */
  @Test
  void eachAddressKeepsItsOrderUnderLossDuplicationAndReorderingWhateverItsUrgency() {
    SessionPair p = new SessionPair(new JsonObject().put("maxInFlight", 100_000));
    p.loss = 0.10;
    p.duplication = 0.05;
    p.delayMs = 5;
    p.jitterMs = 50;
    String[] addresses = {"voice", "chat", "files"};
    int[] priorities = {0, 3, 7};
    Random r = new Random(5);
    int n = 30_000;
    int[] next = new int[addresses.length];
    List<Future<Object>> fs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(addresses.length);
      Object body = a == 2 && r.nextInt(50) == 0 ? Buffer.buffer(new byte[20_000 + r.nextInt(20_000)]).setInt(0, next[a])
        : Integer.toString(next[a]);
      next[a]++;
      fs.add(p.a.send(SessionCodec.KIND_SEND, addresses[a], body, 600_000, true, priorities[a]));
    }
    p.runUntil(Future.all(fs), 600_000);
    assertTrue(fs.stream().allMatch(Future::succeeded), "every send confirmed");
    assertEquals(n, p.deliveredAtB.size(), "exactly once");
    int[] seen = new int[addresses.length];
    for (SessionCodec.Data d : p.deliveredAtB) {
      int a = java.util.Arrays.asList(addresses).indexOf(d.address());
      int got = d.body() instanceof Buffer b ? b.getInt(0) : Integer.parseInt((String) d.body());
      assertEquals(seen[a]++, got, "in order on " + d.address());
    }
  }

  @Test
  void aReceiverThatStopsConsumingMakesTheSender429InsteadOfGrowing() {
    SessionPair p = new SessionPair(new JsonObject().put("maxInFlight", 50).put("windowMessages", 8));
    p.consumerB = (from, d) -> Promise.promise().future(); // the consumer never finishes
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      Future<Object> f = p.a.send(SessionCodec.KIND_REQUEST, "stuck", "m" + i, 600_000);
      if (f.failed()) codes.add(code(f));
      p.clock.advance(5);
    }
    assertEquals(List.of(429, 429, 429, 429, 429, 429, 429, 429, 429, 429), codes);
    assertTrue(p.deliveredAtB.size() <= 50, "the receiver took no more than its limit: " + p.deliveredAtB.size());
  }

  @Test
  void unreliableMessagesAreNotRetransmitted() {
    SessionPair p = new SessionPair(new JsonObject());
    p.loss = 1.0;
    Future<Object> lost = p.a.send(SessionCodec.KIND_SEND, "voice", "frame 1", 1_000, false);
    assertTrue(lost.succeeded(), "an unreliable send completes once queued");
    p.clock.advance(100);
    p.loss = 0;
    Future<Object> reliable = p.a.send(SessionCodec.KIND_SEND, "chat", "kept", 5_000);
    p.runUntil(reliable, 5_000);
    p.clock.advance(2_000);
    assertEquals(List.of("kept"), p.deliveredAtB.stream().map(SessionCodec.Data::body).toList(), "the unreliable one stays lost");
    Future<Object> ok = p.a.send(SessionCodec.KIND_SEND, "voice", "frame 2", 1_000, false);
    p.clock.advance(100);
    assertTrue(ok.succeeded());
    assertEquals("frame 2", p.deliveredAtB.get(p.deliveredAtB.size() - 1).body());
  }

  @Test
  void malformedBundleIsCountedNotThrown() {
    // unencrypted, so that the malformed bundle reaches the parser (SessionCryptoTest covers forged frames)
    SessionPair p = new SessionPair(new JsonObject().put("encryption", false));
    ByteBuf bad = Unpooled.buffer();
    io.p2pnode.wire.FrameCodec.writeHeader(bad, FrameType.BUNDLE, 0, 2, 1000);
    bad.writeByte(FrameType.DATA.code()).writeShort(500).writeByte(1); // length beyond the datagram
    p.b.onFrame(FrameType.BUNDLE, bad, SessionPair.A);
    assertEquals(1, p.countersB.drops(Drop.MALFORMED));
    assertEquals(PeerSession.State.UP, p.b.state());
  }

  @Test
  void aLargeReplyComesBackFragmentedEvenUnderLoss() {
    SessionPair p = new SessionPair(new JsonObject());
    p.loss = 0.05;
    byte[] big = new byte[300_000];
    new Random(5).nextBytes(big);
    p.consumerB = (from, d) -> Future.succeededFuture(Buffer.buffer(big));
    Future<Object> f = p.a.send(SessionCodec.KIND_REQUEST, "file", "give", 60_000);
    p.runUntil(f, 60_000);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(Buffer.buffer(big), f.result());
  }

  @Test
  void repliesAroundTheResultSubFrameLimitArriveIntact() {
    // up to about 1 000 bytes a reply rides in a RESULT sub-frame; above, as a message of its own
    SessionPair p = new SessionPair(new JsonObject());
    for (int size : new int[] {900, 1_000, 1_010, 1_019, 1_020, 1_024, 1_100, 3_000}) {
      byte[] body = new byte[size];
      new Random(size).nextBytes(body);
      p.consumerB = (from, d) -> Future.succeededFuture(Buffer.buffer(body));
      Future<Object> f = p.a.send(SessionCodec.KIND_REQUEST, "echo", "give " + size, 5_000);
      p.runUntil(f, 5_000);
      assertTrue(f.succeeded(), size + ": " + f.cause());
      assertEquals(Buffer.buffer(body), f.result(), "reply of " + size + " bytes");
    }
  }

  @Test
  void aReplyOverMaxMessageBytesIs413() {
    SessionPair p = new SessionPair(new JsonObject().put("maxMessageBytes", 10_000));
    p.consumerB = (from, d) -> Future.succeededFuture(d.address().equals("buffer") ? Buffer.buffer(new byte[20_000])
      : new JsonObject().put("text", "x".repeat(20_000))); // a JSON body's size shows only once encoded
    for (String address : List.of("buffer", "json")) {
      Future<Object> f = p.a.send(SessionCodec.KIND_REQUEST, address, "give", 5_000);
      p.runUntil(f, 5_000);
      assertEquals(413, code(f), address);
    }
  }

  @Test
  void unreliableSendsBeyondTheQueueBoundAre429() {
    SessionPair p = new SessionPair(new JsonObject().put("maxInFlight", 10));
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      Future<Object> f = p.a.send(SessionCodec.KIND_SEND, "voice", "x".repeat(1000), 1_000, false);
      if (f.failed()) codes.add(code(f));
    }
    assertFalse(codes.isEmpty(), "a flood of unreliable sends meets the queue bound");
    assertTrue(codes.stream().allMatch(c -> c == 429));
  }

  @Test
  void unreliableMessagesAreNotAnsweredAndNeverCompleteAReliableOne() {
    SessionPair p = new SessionPair(new JsonObject());
    p.consumerB = (from, d) -> d.address().equals("slow") ? Promise.promise().future() : Future.succeededFuture();
    Future<Object> reliable = p.a.send(SessionCodec.KIND_REQUEST, "slow", "waits for its own answer", 5_000);
    for (int i = 0; i < 5; i++) p.a.send(SessionCodec.KIND_SEND, "voice", "frame " + i, 1_000, false);
    p.clock.advance(500);
    assertFalse(reliable.isComplete(), "an unreliable message's id must not complete the reliable message with the same id");
    assertEquals(0, p.countersA.drops(Drop.STALE_REPLY), "no results come back for unreliable messages");
  }
}
