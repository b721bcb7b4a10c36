package io.p2pnode.session;

import io.p2pnode.dataplane.StreamSink;
import io.p2pnode.dataplane.OutboundStreamListener;
import io.p2pnode.bus.Failure;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Byte streams between two sessions on the simulated link (manual clock): order and integrity
 * under loss, duplication and reordering; credit per stream and per session, so a paused reader
 * holds back only its own stream; refusals (404, 429) and the stream limit.
 */
class StreamFlowTest {

  /** A sender's stream: what it heard from its session. */
  static final class Sent implements OutboundStreamListener {
    long acked;
    final Promise<Void> ended = Promise.promise();

    public void acked(long bytes) {
      acked += bytes;
    }

    public void ended() {
      ended.tryComplete();
    }

    public void failed(io.vertx.core.VertxException cause) {
      ended.tryFail(cause);
    }
  }

  /** b's reader of one stream: consumes at once unless paused. */
  static final class Reader implements StreamSink.Inbound {
    final SessionPair p;
    final int id;
    final String address;
    final Buffer got = Buffer.buffer();
    final Promise<Void> end = Promise.promise();
    boolean paused;
    long unconsumed;

    Reader(SessionPair p, int id, String address) {
      this.p = p;
      this.id = id;
      this.address = address;
    }

    public void data(Buffer bytes) {
      got.appendBuffer(bytes);
      unconsumed += bytes.length();
      if (!paused && p != null) p.clock.runSoon(this::consume);
    }

    void consume() {
      long n = unconsumed;
      unconsumed = 0;
      p.b.streamConsumed(id, n);
    }

    public void end() {
      end.tryComplete();
    }

    public void failed(io.vertx.core.VertxException cause) {
      end.tryFail(cause);
    }
  }

  private static Map<String, Reader> readers(SessionPair p, String... paused) {
    Map<String, Reader> readers = new HashMap<>();
    p.streamsAtB = (peer, id, address) -> {
      if (address.startsWith("nobody")) return null;
      Reader r = new Reader(p, id, address);
      r.paused = List.of(paused).contains(address);
      readers.put(address, r);
      return r;
    };
    return readers;
  }

  private static Buffer random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return Buffer.buffer(b);
  }

  private static int open(SessionPair p, String address, Sent listener) {
    Future<Integer> f = p.a.openStream(address, 3, listener);
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    return f.result();
  }

  @Test
  void threeStreamsArriveWholeAndInOrderUnderLossDuplicationAndReordering() {
    threeStreamsUnderLossDuplicationAndReordering(SessionPair.DEFAULT_CONGESTION_SEED);
  }

  /**
   * A run (congestion seed 8) where the last chunks of s1 are lost and the stream's end, sent after them, is
   * acknowledged first: the sender must not call the stream ended until the chunks before the end were
   * acknowledged too (the receiver's reader had not got them, nor the end, when it did).
   */
  @Test
  void aStreamEndsForItsSenderOnlyOnceEveryChunkBeforeTheEndWasAcknowledged() {
    threeStreamsUnderLossDuplicationAndReordering(8);
  }

  /** Three streams of 40 writes each, 5% loss, 5% duplication, 5 ms + up to 20 ms delay; {@code seed}: the congestion controllers'. */
  static void threeStreamsUnderLossDuplicationAndReordering(long seed) {
    SessionPair p = new SessionPair(new JsonObject(), seed);
    p.loss = 0.05;
    p.duplication = 0.05;
    p.delayMs = 5;
    p.jitterMs = 20;
    Map<String, Reader> readers = readers(p);
    Random r = new Random(3);
    Map<String, Buffer> sent = new HashMap<>();
    List<Future<Void>> ends = new ArrayList<>();
    for (String address : List.of("s1", "s2", "s3")) {
      Sent listener = new Sent();
      int id = open(p, address, listener);
      Buffer all = Buffer.buffer();
      for (int i = 0; i < 40; i++) { // writes of any size, some beyond one message
        Buffer chunk = random(r, 1 + r.nextInt(100_000));
        all.appendBuffer(chunk);
        assertTrue(p.a.writeStream(id, chunk, false));
      }
      assertTrue(p.a.writeStream(id, null, true));
      sent.put(address, all);
      ends.add(listener.ended.future());
    }
    p.runUntil(Future.all(ends), 600_000);
    assertTrue(Future.all(ends).succeeded(), "every end acknowledged");
    for (String address : sent.keySet()) {
      Reader reader = readers.get(address);
      assertTrue(reader.end.future().succeeded(), address + " ended");
      assertEquals(sent.get(address).length(), reader.got.length(), address);
      assertEquals(sent.get(address), reader.got, address + " arrived whole and in order");
    }
    assertEquals(0, p.countersB.drops(Drop.CREDIT_EXCEEDED), "the sender kept within the credit");
  }

  @Test
  void aPausedReaderHoldsBackOnlyItsOwnStream() {
    SessionPair p = new SessionPair(new JsonObject());
    Map<String, Reader> readers = readers(p, "slow");
    Random r = new Random(4);
    Sent slow = new Sent();
    int slowId = open(p, "slow", slow);
    for (int i = 0; i < 256; i++) p.a.writeStream(slowId, random(r, 64 * 1024), false); // 16 MiB
    p.a.writeStream(slowId, null, true);
    Sent fast = new Sent();
    int fastId = open(p, "fast", fast);
    for (int i = 0; i < 128; i++) p.a.writeStream(fastId, random(r, 64 * 1024), false); // 8 MiB
    p.a.writeStream(fastId, null, true);
    Future<Object> message = p.a.send(SessionCodec.KIND_SEND, "chat", "hi", 60_000);
    p.runUntil(Future.all(fast.ended.future(), message), 120_000);
    assertTrue(fast.ended.future().succeeded(), "the other stream finished: " + fast.ended.future().cause());
    assertTrue(message.succeeded(), "a message to another address went through");
    assertEquals(8 << 20, readers.get("fast").got.length());
    p.runUntil(Future.future(x -> { }), 2_000); // the slow one had all the time it wanted
    long held = readers.get("slow").got.length();
    long window = SessionOptions.DEFAULT_STREAM_WINDOW_BYTES;
    assertTrue(held >= window / 2 && held <= window + SessionCodec.MAX_STREAM_CHUNK,
      "the paused stream stopped at its credit: " + held);
    assertFalse(slow.ended.future().isComplete());
    assertTrue(slow.acked <= window + SessionCodec.MAX_STREAM_CHUNK, "its sender got no further: " + slow.acked);
    // the reader resumes: the rest follows
    Reader reader = readers.get("slow");
    reader.paused = false;
    reader.consume();
    p.runUntil(slow.ended.future(), 120_000);
    assertTrue(slow.ended.future().succeeded());
    assertEquals(16 << 20, reader.got.length());
  }

  /** A 16 MiB stream and small messages to another address: the small ones all arrive while the stream is still early on. */
  @Test
  void smallMessagesOvertakeASixteenMebibyteStreamUnderLoss() {
    SessionPair p = new SessionPair(new JsonObject());
    p.loss = 0.02;
    Map<String, Reader> readers = readers(p);
    Random r = new Random(6);
    Sent bulk = new Sent();
    int id = open(p, "files", bulk);
    for (int i = 0; i < 256; i++) p.a.writeStream(id, random(r, 64 * 1024), false); // 16 MiB queued at once
    p.a.writeStream(id, null, true);
    List<Long> streamedWhenChatArrived = new ArrayList<>();
    p.consumerB = (from, d) -> {
      Reader files = readers.get("files"); // not opened yet at b: nothing of the stream arrived
      streamedWhenChatArrived.add(files == null ? 0L : files.got.length());
      return Future.succeededFuture();
    };
    List<Future<Object>> chats = new ArrayList<>();
    for (int i = 0; i < 100; i++) chats.add(p.a.send(SessionCodec.KIND_SEND, "chat", "c" + i, 120_000));
    p.runUntil(Future.all(Future.all(chats), bulk.ended.future()), 300_000);
    assertTrue(bulk.ended.future().succeeded(), "the stream finished");
    assertEquals(16 << 20, readers.get("files").got.length());
    assertEquals(100, streamedWhenChatArrived.size());
    for (int i = 0; i < 100; i++) assertEquals("chat:c" + i, "chat:" + p.deliveredAtB.get(i).body(), "chat in order");
    long last = streamedWhenChatArrived.get(99);
    assertTrue(last < 4L << 20, "every small message arrived before a quarter of the stream had: " + last + " bytes streamed by then");
  }

  @Test
  void aStreamNobodyTakesFailsWith404AndNothingMoreIsSent() {
    SessionPair p = new SessionPair(new JsonObject());
    readers(p);
    Sent s = new Sent();
    int id = open(p, "nobody.here", s);
    p.a.writeStream(id, Buffer.buffer("x"), false);
    p.runUntil(s.ended.future(), 10_000);
    assertEquals(Failure.NOT_FOUND.code(), ((ReplyException) s.ended.future().cause()).failureCode());
    assertFalse(p.a.writeStream(id, Buffer.buffer("y"), false), "the stream is closed");
  }

  @Test
  void streamsBeyondMaxStreamsAre429AtTheSenderAndRefusedAtTheReceiver() {
    SessionPair p = new SessionPair(new JsonObject().put("maxStreams", 2));
    readers(p, "a1", "a2");
    open(p, "a1", new Sent());
    open(p, "a2", new Sent());
    Future<Integer> third = p.a.openStream("a3", 3, new Sent());
    assertEquals(429, ((ReplyException) third.cause()).failureCode());
    Future<Object> send = p.a.send(SessionCodec.KIND_SEND, "another.address", "x", 1_000);
    assertEquals(429, ((ReplyException) send.cause()).failureCode(), "a message to a new address opens a stream too");
  }
}
