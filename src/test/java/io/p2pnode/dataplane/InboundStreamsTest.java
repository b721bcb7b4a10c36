package io.p2pnode.dataplane;

import io.p2pnode.config.SessionOptions;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The receiving side of byte streams on its own: the stream limit, credit granted as the reader
 * consumes, and a peer that ignores its credit. Two sessions streaming to each other: {@code StreamFlowTest}.
 */
class InboundStreamsTest {

  /** A reader that keeps what it got and how its stream ended. */
  static final class Reader implements StreamSink.Inbound {
    final Buffer got = Buffer.buffer();
    final Promise<Void> end = Promise.promise();

    public void data(Buffer bytes) {
      got.appendBuffer(bytes);
    }

    public void end() {
      end.tryComplete();
    }

    public void failed(io.vertx.core.VertxException cause) {
      end.tryFail(cause);
    }
  }

  @Test
  void aReceiverBeyondItsStreamLimitDropsCountsAndStopsTheNewStreamWith429() {
    io.p2pnode.transport.Counters counters = new io.p2pnode.transport.Counters();
    SessionOptions o = io.p2pnode.config.NodeOptions.fromJson(new JsonObject().put("session", new JsonObject().put("maxStreams", 1))).session();
    List<String> control = new ArrayList<>();
    InboundStreams in = new InboundStreams("a", (peer, id, address) -> new Reader(), counters, o, (type, body) -> control.add(type + ":" + io.netty.buffer.ByteBufUtil.hexDump(body)));
    in.onData(new SessionCodec.Data(1, SessionCodec.KIND_STREAM, 1, 0, "x", Buffer.buffer("a")));
    assertEquals(1, in.size());
    in.onData(new SessionCodec.Data(2, SessionCodec.KIND_STREAM, 2, 0, "y", Buffer.buffer("b")));
    assertEquals(1, counters.drops(Drop.STREAM_LIMIT));
    assertEquals("STOP:00000002" + "01ad", control.get(control.size() - 1), "stream 2 refused with 429");
    in.onData(new SessionCodec.Data(3, SessionCodec.KIND_STREAM, 2, 2, "y", Buffer.buffer("c")));
    assertEquals(1, counters.drops(Drop.STREAM_UNKNOWN), "the rest of a refused stream is dropped too");
    assertEquals(1, in.size());
    // the open stream got its window at once, and more once half of it was consumed
    assertTrue(control.contains("CREDIT:00000001" + String.format("%016x", o.streamWindowBytes())), String.valueOf(control));
    in.consumed(1, o.streamWindowBytes() / 2);
    assertTrue(control.contains("CREDIT:00000001" + String.format("%016x", o.streamWindowBytes() / 2 + o.streamWindowBytes())),
      String.valueOf(control));
    in.onData(new SessionCodec.Data(4, SessionCodec.KIND_STREAM_END, 1, 1, "x", Buffer.buffer()));
    in.consumed(1, 1);
    assertEquals(0, in.size(), "an ended stream whose bytes were consumed is gone");
  }

  @Test
  void aPeerThatIgnoresTheCreditHasItsStreamRefused() {
    io.p2pnode.transport.Counters counters = new io.p2pnode.transport.Counters();
    SessionOptions o = io.p2pnode.config.NodeOptions.fromJson(new JsonObject()).session();
    List<String> control = new ArrayList<>();
    Reader[] reader = new Reader[1];
    InboundStreams in = new InboundStreams("a", (peer, id, address) -> reader[0] = new Reader(), counters, o,
      (type, body) -> control.add(type + ":" + io.netty.buffer.ByteBufUtil.hexDump(body)));
    long prev = 0;
    long sent = 0;
    for (long msg = 1; sent <= o.streamWindowBytes() + SessionCodec.MAX_STREAM_CHUNK; msg++) { // nothing consumed: no more credit
      in.onData(new SessionCodec.Data(msg, SessionCodec.KIND_STREAM, 7, prev, "x", Buffer.buffer(new byte[SessionCodec.MAX_STREAM_CHUNK])));
      prev = msg;
      sent += SessionCodec.MAX_STREAM_CHUNK;
    }
    assertEquals(1, counters.drops(Drop.CREDIT_EXCEEDED));
    assertEquals("STOP:00000007" + "0190", control.get(control.size() - 1), "refused with 400");
    assertEquals(400, ((ReplyException) reader[0].end.future().cause()).failureCode(), "the reader hears why");
    assertTrue(reader[0].got.length() <= o.streamWindowBytes() + SessionCodec.MAX_STREAM_CHUNK, "no more was taken in");
    assertEquals(0, in.size());
  }

  @Test
  void aResetByEitherEndDropsTheStreamsLateBytesAndGivesTheSessionItsCreditBack() {
    io.p2pnode.transport.Counters counters = new io.p2pnode.transport.Counters();
    SessionOptions o = io.p2pnode.config.NodeOptions.fromJson(new JsonObject()).session();
    List<String> control = new ArrayList<>();
    List<Reader> readers = new ArrayList<>();
    InboundStreams in = new InboundStreams("a", (peer, id, address) -> {
      Reader r = new Reader();
      readers.add(r);
      return r;
    }, counters, o, (type, body) -> control.add(type + ":" + io.netty.buffer.ByteBufUtil.hexDump(body)));
    int chunk = SessionCodec.MAX_STREAM_CHUNK;
    // the writer of stream 3 resets it after two chunks the reader never consumed
    in.onData(new SessionCodec.Data(1, SessionCodec.KIND_STREAM, 3, 0, "x", Buffer.buffer(new byte[chunk])));
    in.onData(new SessionCodec.Data(2, SessionCodec.KIND_STREAM, 3, 1, "x", Buffer.buffer(new byte[chunk])));
    in.onReset(new io.p2pnode.wire.BundleCodec.Reset(3, io.p2pnode.wire.BundleCodec.SIDE_WRITER, 7));
    assertEquals(7, ((io.p2pnode.bus.StreamResetException) readers.get(0).end.future().cause()).code(), "the reader hears the writer's code");
    assertEquals(0, in.size());
    in.onData(new SessionCodec.Data(3, SessionCodec.KIND_STREAM, 3, 2, "x", Buffer.buffer(new byte[chunk])));
    assertEquals(1, readers.size(), "a chunk that was on its way opens nothing");
    assertEquals(2 * chunk, readers.get(0).got.length(), "and reaches no reader");
    in.consumed(3, 2 * chunk); // the reader's late report counts nothing twice
    // the reader of stream 5 resets it: the writer hears RESET, side 1, with the code
    in.onData(new SessionCodec.Data(4, SessionCodec.KIND_STREAM, 5, 0, "y", Buffer.buffer(new byte[chunk])));
    assertTrue(in.reset(5, 9));
    assertEquals("RESET:00000005" + "01" + "00000009", control.get(control.size() - 1));
    assertFalse(in.reset(5, 9), "once");
    in.onData(new SessionCodec.Data(5, SessionCodec.KIND_STREAM_END, 5, 4, "y", Buffer.buffer()));
    assertEquals(0, in.size());
    // a reset stream's bytes count as consumed for the session: 4 chunks so far, then half a window more asks for credit
    long before = control.stream().filter(c -> c.startsWith("CREDIT:00000000")).count();
    long seq = 10;
    long prev = 0;
    in.onReset(new io.p2pnode.wire.BundleCodec.Reset(11, io.p2pnode.wire.BundleCodec.SIDE_WRITER, 0)); // reset before its first byte came
    for (long bytes = 4L * chunk; bytes < o.connectionWindowBytes() / 2 + chunk; bytes += chunk, seq++) {
      in.onData(new SessionCodec.Data(seq, SessionCodec.KIND_STREAM, 11, prev, "z", Buffer.buffer(new byte[chunk])));
      prev = seq;
    }
    assertEquals(2, readers.size(), "the stream reset before it began never opened");
    assertTrue(control.stream().filter(c -> c.startsWith("CREDIT:00000000")).count() > before,
      "dropped bytes gave the session its credit back: " + control);
    assertEquals(0, counters.drops(Drop.CREDIT_EXCEEDED));
  }
}
