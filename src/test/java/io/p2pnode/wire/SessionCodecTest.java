package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.p2pnode.wire.SessionCodec.Data;
import io.p2pnode.wire.SessionCodec.Result;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionCodecTest {
  private static final String NON_ASCII = "h\u00e9llo w\u00f6rld \u4e2d\u6587 \uD83D\uDE00";

  /** One body of every carried type. */
  private static List<Object> bodies() {
    return Arrays.asList(
      null,
      "",
      "plain",
      NON_ASCII,
      Buffer.buffer(),
      Buffer.buffer(new byte[] {0, 1, (byte) 0xFF, (byte) 0xD1, 0x7F}),
      new JsonObject(),
      new JsonObject().put("s", "t\u00e9xt").put("n", 42).put("b", true).put("nested", new JsonObject().put("x", 1))
        .put("arr", new JsonArray().add(1).add("two")).putNull("z"),
      new JsonArray(),
      new JsonArray().add(1).add("x").add(new JsonObject().put("k", "v")).add(false));
  }

  private static byte[] data(long msgId, int kind, long timeoutMs, String address, Object body) {
    ByteBuf b = Unpooled.buffer();
    SessionCodec.writeData(b, msgId, kind, timeoutMs, address, body);
    return ByteBufUtil.getBytes(b);
  }

  private static byte[] result(long msgId, int code, Object body) {
    ByteBuf b = Unpooled.buffer();
    SessionCodec.writeResult(b, msgId, code, body);
    return ByteBufUtil.getBytes(b);
  }

  private static ByteBuf hex(String hex) {
    return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
  }

  // ---------------------------------------------------------------- round trips

  @Test
  void dataRoundTripWithEveryBodyType() {
    for (Object body : bodies()) {
      for (int kind : new int[] {SessionCodec.KIND_SEND, SessionCodec.KIND_REQUEST, SessionCodec.KIND_NOTIFY}) {
        ByteBuf in = Unpooled.wrappedBuffer(data(-5L, kind, 0xFFFFFFFFL, "svc.\u00e9cho", body));
        Data d = SessionCodec.readData(in);
        assertEquals(new Data(-5L, kind, 0xFFFFFFFFL, "svc.\u00e9cho", body), d, String.valueOf(body));
        assertEquals(0, in.readableBytes());
        if (body != null) assertEquals(body.getClass(), d.body().getClass());
      }
    }
  }

  @Test
  void resultRoundTripWithEveryBodyType() {
    for (Object body : bodies()) {
      ByteBuf in = Unpooled.wrappedBuffer(result(Long.MAX_VALUE, SessionCodec.OK, body));
      Result r = SessionCodec.readResult(in);
      assertEquals(new Result(Long.MAX_VALUE, SessionCodec.OK, body), r, String.valueOf(body));
      assertEquals(0, in.readableBytes());
    }
  }

  @Test
  void failureResultWithMessageRoundTrips() {
    Result r = SessionCodec.readResult(Unpooled.wrappedBuffer(result(9, 0xFFFF, NON_ASCII)));
    assertEquals(new Result(9, 0xFFFF, NON_ASCII), r);
  }

  @Test
  void bufferSliceWritesOnlyTheSlice() {
    Buffer slice = Buffer.buffer(new byte[] {1, 2, 3, 4, 5, 6}).slice(2, 5);
    Data d = SessionCodec.readData(Unpooled.wrappedBuffer(data(1, 0, 1, "a", slice)));
    assertEquals(Buffer.buffer(new byte[] {3, 4, 5}), d.body());
  }

  @Test
  void writingDoesNotConsumeTheBufferBody() {
    Buffer body = Buffer.buffer(new byte[] {1, 2, 3});
    data(1, 0, 1, "a", body);
    assertEquals(3, body.length());
    assertEquals(Buffer.buffer(new byte[] {1, 2, 3}), SessionCodec.readData(Unpooled.wrappedBuffer(data(1, 0, 1, "a", body))).body());
  }

  @Test
  void pingPongAndBye() {
    assertEquals(0x0102030405060708L, SessionCodec.readTimestamp(hex("0102030405060708")));
    assertThrows(WireException.class, () -> SessionCodec.readTimestamp(hex("01020304050607")));
    assertThrows(WireException.class, () -> SessionCodec.readTimestamp(hex("010203040506070809")));
    assertEquals(0xFE, SessionCodec.readBye(hex("fe")));
    assertThrows(WireException.class, () -> SessionCodec.readBye(Unpooled.EMPTY_BUFFER));
    assertThrows(WireException.class, () -> SessionCodec.readBye(hex("0000")));
  }

  // ---------------------------------------------------------------- golden bytes

  @Test
  void dataGoldenBytes() {
    String expected = "0000000000000001" + "00" + "000003e8" + "0000000000000000" + "0161" + "01" + "6869";
    assertEquals(expected, ByteBufUtil.hexDump(data(1, SessionCodec.KIND_SEND, 1000, "a", "hi")));
    assertEquals(new Data(1, 0, 1000, "a", "hi"), SessionCodec.readData(hex(expected)));
  }

  @Test
  void notifyGoldenBytes() {
    String expected = "0000000000000007" + "03" + "000003e8" + "0000000000000000" + "0161" + "01" + "6869";
    assertEquals(expected, ByteBufUtil.hexDump(data(7, SessionCodec.KIND_NOTIFY, 1000, "a", "hi")));
    assertEquals(new Data(7, SessionCodec.KIND_NOTIFY, 1000, "a", "hi"), SessionCodec.readData(hex(expected)));
  }

  /** A message that follows message 5 of its stream names it: the receiver hands it over after that one. */
  @Test
  void dataWithItsPredecessorGoldenBytes() {
    ByteBuf b = Unpooled.buffer();
    SessionCodec.writeData(b, 9, SessionCodec.KIND_SEND, 1000, 5, "a", "hi");
    String expected = "0000000000000009" + "00" + "000003e8" + "0000000000000005" + "0161" + "01" + "6869";
    assertEquals(expected, ByteBufUtil.hexDump(b));
    assertEquals(new Data(9, SessionCodec.KIND_SEND, 1000, 5, "a", "hi"), SessionCodec.readData(hex(expected)));
  }

  /** The header a sender writes for a Buffer body it keeps in place: header + body bytes are exactly writeData's bytes. */
  @Test
  void bufferDataHeaderThenTheBodyIsTheDataEncoding() {
    ByteBuf header = Unpooled.buffer();
    SessionCodec.writeBufferDataHeader(header, 9, SessionCodec.KIND_SEND, 1000, 5, "a");
    assertEquals("0000000000000009" + "00" + "000003e8" + "0000000000000005" + "0161" + "02", ByteBufUtil.hexDump(header));
    Buffer body = Buffer.buffer(new byte[] {1, 2, 3});
    ByteBuf whole = Unpooled.buffer();
    SessionCodec.writeData(whole, 9, SessionCodec.KIND_SEND, 1000, 5, "a", body);
    assertEquals(ByteBufUtil.hexDump(whole), ByteBufUtil.hexDump(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))));
    assertEquals(new Data(9, SessionCodec.KIND_SEND, 1000, 5, "a", body),
      SessionCodec.readData(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))));
  }

  @Test
  void aPredecessorThatDoesNotComeBeforeIsRejected() {
    for (long prev : new long[] {9, 10, -1}) {
      ByteBuf b = Unpooled.buffer();
      SessionCodec.writeData(b, 9, SessionCodec.KIND_SEND, 1000, prev, "a", "hi");
      assertThrows(WireException.class, () -> SessionCodec.readData(b), "prev " + prev);
    }
  }

  @Test
  void resultAndBodyTypeGoldenBytes() {
    assertEquals("0000000000000002" + "0000" + "00", ByteBufUtil.hexDump(result(2, 0, null)));
    assertEquals("0000000000000002" + "01f4" + "01" + "6f6f7073", ByteBufUtil.hexDump(result(2, 500, "oops")));
    assertEquals("0000000000000002" + "0000" + "02" + "00ff", ByteBufUtil.hexDump(result(2, 0, Buffer.buffer(new byte[] {0, -1}))));
    assertEquals("0000000000000002" + "0000" + "03" + "7b7d", ByteBufUtil.hexDump(result(2, 0, new JsonObject())));
    assertEquals("0000000000000002" + "0000" + "04" + "5b315d", ByteBufUtil.hexDump(result(2, 0, new JsonArray().add(1))));
  }

  // ---------------------------------------------------------------- rejections

  @Test
  void dataTruncatedBeforeBodyIsRejected() {
    byte[] full = data(7, 1, 500, "addr", "body");
    int fixed = 8 + 1 + 4 + 1 + 4 + 1; // msgId, kind, timeout, address, body type
    for (int len = 0; len < fixed; len++) {
      ByteBuf in = Unpooled.wrappedBuffer(full, 0, len);
      assertThrows(WireException.class, () -> SessionCodec.readData(in), "prefix " + len);
    }
  }

  @Test
  void resultTruncatedBeforeBodyIsRejected() {
    byte[] full = result(7, 0, "body");
    for (int len = 0; len < 8 + 2 + 1; len++) {
      ByteBuf in = Unpooled.wrappedBuffer(full, 0, len);
      assertThrows(WireException.class, () -> SessionCodec.readResult(in), "prefix " + len);
    }
  }

  @Test
  void truncatedJsonBodyIsRejected() {
    for (Object body : List.of(new JsonObject().put("k", "v").put("n", 1), new JsonArray().add(1).add("x"))) {
      byte[] full = data(7, 0, 500, "a", body);
      for (int len = 0; len < full.length; len++) {
        ByteBuf in = Unpooled.wrappedBuffer(full, 0, len);
        assertThrows(WireException.class, () -> SessionCodec.readData(in), body + " prefix " + len);
      }
      byte[] fullResult = result(7, 0, body);
      for (int len = 0; len < fullResult.length; len++) {
        ByteBuf in = Unpooled.wrappedBuffer(fullResult, 0, len);
        assertThrows(WireException.class, () -> SessionCodec.readResult(in), body + " prefix " + len);
      }
    }
  }

  @Test
  void badKindIsRejected() {
    for (int kind : new int[] {2, 6, 0x80, 0xFF}) {
      byte[] bytes = data(1, 0, 1000, "a", "hi");
      bytes[8] = (byte) kind;
      assertThrows(WireException.class, () -> SessionCodec.readData(Unpooled.wrappedBuffer(bytes)), "kind " + kind);
    }
  }

  @Test
  void emptyAddressIsRejected() {
    assertThrows(WireException.class, () -> SessionCodec.readData(Unpooled.wrappedBuffer(data(1, 0, 1000, "", "hi"))));
  }

  @Test
  void failureResultWithoutStringBodyIsRejected() {
    for (Object body : Arrays.asList(null, Buffer.buffer("x"), new JsonObject().put("a", 1), new JsonArray())) {
      ByteBuf in = Unpooled.wrappedBuffer(result(1, 404, body));
      assertThrows(WireException.class, () -> SessionCodec.readResult(in), String.valueOf(body));
    }
  }

  @Test
  void invalidJsonBodyIsRejected() {
    String head = "0000000000000001" + "00" + "000003e8" + "0000000000000000" + "0161";
    for (String json : List.of("", "{", "{\"a\":}", "[1]", "null", "42", "{} {}", "\u00ff")) {
      byte[] utf8 = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ByteBuf in = hex(head + "03" + ByteBufUtil.hexDump(utf8));
      assertThrows(WireException.class, () -> SessionCodec.readData(in), "object " + json);
    }
    for (String json : List.of("", "[", "[1,]", "{}", "null", "\"s\"", "[] []")) {
      byte[] utf8 = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ByteBuf in = hex(head + "04" + ByteBufUtil.hexDump(utf8));
      assertThrows(WireException.class, () -> SessionCodec.readData(in), "array " + json);
    }
    // invalid UTF-8 inside JSON
    assertThrows(WireException.class, () -> SessionCodec.readData(hex(head + "03" + "7bff7d")));
  }

  @Test
  void deeplyNestedJsonIsRejectedAsWireException() {
    String head = "0000000000000001" + "0000";
    String deep = "[".repeat(30_000) + "]".repeat(30_000);
    ByteBuf in = hex(head + "04" + ByteBufUtil.hexDump(deep.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertThrows(WireException.class, () -> SessionCodec.readResult(in));
  }

  @Test
  void unknownBodyTypeIsRejected() {
    for (int type : new int[] {5, 6, 0x7F, 0xFF}) {
      ByteBuf in = hex("0000000000000001" + "0000" + String.format("%02x", type) + "6869");
      assertThrows(WireException.class, () -> SessionCodec.readResult(in), "type " + type);
    }
  }

  @Test
  void nullBodyWithBytesIsRejected() {
    assertNull(SessionCodec.readResult(hex("0000000000000001" + "0000" + "00")).body());
    assertThrows(WireException.class, () -> SessionCodec.readResult(hex("0000000000000001" + "0000" + "00" + "00")));
  }

  // ---------------------------------------------------------------- byte streams, CREDIT, STOP

  private static byte[] stream(long msgId, int kind, int streamId, long prev, String address, byte[] bytes) {
    ByteBuf b = Unpooled.buffer();
    SessionCodec.writeStream(b, msgId, kind, streamId, prev, address, Unpooled.wrappedBuffer(bytes), 0, bytes.length);
    return ByteBufUtil.getBytes(b);
  }

  @Test
  void streamChunkGoldenBytes() {
    String expected = "0000000000000009" + "04" + "00000002" + "0000000000000007" + "0166" + "0aff";
    assertEquals(expected, ByteBufUtil.hexDump(stream(9, SessionCodec.KIND_STREAM, 2, 7, "f", new byte[] {10, -1})));
    Data d = SessionCodec.readData(hex(expected));
    assertEquals(2, d.streamId());
    assertTrue(d.isStream());
    assertEquals(new Data(9, SessionCodec.KIND_STREAM, 2, 7, "f", Buffer.buffer(new byte[] {10, -1})), d);
  }

  @Test
  void streamHeaderThenTheBytesIsTheChunkEncoding() {
    ByteBuf header = Unpooled.buffer();
    SessionCodec.writeStreamHeader(header, 9, SessionCodec.KIND_STREAM, 2, 7, "f");
    assertEquals("0000000000000009" + "04" + "00000002" + "0000000000000007" + "0166", ByteBufUtil.hexDump(header));
    assertEquals(ByteBufUtil.hexDump(stream(9, SessionCodec.KIND_STREAM, 2, 7, "f", new byte[] {10, -1})),
      ByteBufUtil.hexDump(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(new byte[] {10, -1}))));
    assertThrows(IllegalArgumentException.class, () -> SessionCodec.writeStreamHeader(Unpooled.buffer(), 1, SessionCodec.KIND_SEND, 2, 0, "f"));
  }

  @Test
  void streamEndGoldenBytes() {
    String expected = "000000000000000a" + "05" + "00000002" + "0000000000000009" + "0166";
    assertEquals(expected, ByteBufUtil.hexDump(stream(10, SessionCodec.KIND_STREAM_END, 2, 9, "f", new byte[0])));
    assertEquals(new Data(10, SessionCodec.KIND_STREAM_END, 2, 9, "f", Buffer.buffer()), SessionCodec.readData(hex(expected)));
  }

  @Test
  void streamChunksRoundTripAtRandom() {
    java.util.Random r = new java.util.Random(15);
    for (int i = 0; i < 500; i++) {
      byte[] bytes = new byte[r.nextInt(2000)];
      r.nextBytes(bytes);
      long id = 1 + (r.nextLong() & Long.MAX_VALUE >> 1);
      int streamId = 1 + r.nextInt(Integer.MAX_VALUE);
      long prev = r.nextBoolean() ? 0 : id - 1 - r.nextInt((int) Math.min(id - 1, 1000) + 1) + 1;
      if (prev >= id) prev = 0;
      Data d = SessionCodec.readData(Unpooled.wrappedBuffer(stream(id, SessionCodec.KIND_STREAM, streamId, prev, "s" + i, bytes)));
      assertEquals(new Data(id, SessionCodec.KIND_STREAM, streamId & 0xFFFFFFFFL, prev, "s" + i, Buffer.buffer(bytes)), d);
    }
  }

  @Test
  void aStreamChunkIsCopiedOnceIntoABufferThatGrows() {
    byte[] bytes = new byte[SessionCodec.MAX_STREAM_CHUNK];
    ByteBuf encoded = Unpooled.wrappedBuffer(stream(3, SessionCodec.KIND_STREAM, 1, 0, "s", bytes));
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    SessionCodec.readData(encoded.duplicate()); // loads and links what the measured call uses
    long before = threads.getCurrentThreadAllocatedBytes();
    Data d = SessionCodec.readData(encoded.duplicate());
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < bytes.length + bytes.length / 2, "one body-sized copy, not two: " + allocated + " bytes allocated");
    Buffer b = (Buffer) d.body();
    b.appendString("more"); // a received chunk grows like any Vert.x buffer
    assertEquals(bytes.length + 4, b.length());
  }

  @Test
  void aBufferBodyCanBeFoundAndDecodedApartFromItsHeader() {
    ByteBuf m = Unpooled.buffer();
    SessionCodec.writeData(m, 9, SessionCodec.KIND_REQUEST, 500, "app.x", Buffer.buffer("body!"));
    int at = SessionCodec.bufferBodyOffset(m);
    assertEquals(8 + 1 + 4 + 8 + 1 + 5 + 1, at, "past msgId, kind, timeout, prev, the address and the type byte");
    assertEquals("body!", m.toString(at, m.readableBytes() - at, java.nio.charset.StandardCharsets.UTF_8));
    Data d = SessionCodec.readData(m.slice(0, at), Buffer.buffer("body!"));
    assertEquals(SessionCodec.readData(m.duplicate()), d, "the same as decoding it whole");
    ByteBuf s = Unpooled.buffer();
    SessionCodec.writeData(s, 9, SessionCodec.KIND_SEND, 0, "app.x", "a string");
    assertEquals(-1, SessionCodec.bufferBodyOffset(s), "not a Buffer body");
    assertEquals(-1, SessionCodec.bufferBodyOffset(m.slice(0, at - 1)), "the header runs past these bytes");
    assertEquals(-1, SessionCodec.bufferBodyOffset(Unpooled.wrappedBuffer(stream(3, SessionCodec.KIND_STREAM, 1, 0, "s", new byte[10]))), "a stream chunk");
    assertThrows(WireException.class, () -> SessionCodec.readData(s.slice(0, at), Buffer.buffer("x")), "type byte not Buffer");
    assertThrows(WireException.class, () -> SessionCodec.readData(m.slice(0, at + 1), Buffer.buffer("x")), "bytes after the type byte");
    assertThrows(WireException.class, () -> SessionCodec.readData(m.slice(0, 12), Buffer.buffer("x")), "truncated");
  }

  @Test
  void badStreamMessagesAreRejected() {
    String chunk = "0000000000000009" + "04" + "00000002" + "0000000000000007" + "0166" + "0aff";
    assertThrows(WireException.class, () -> SessionCodec.readData(hex(chunk.replace("0400000002", "0400000000"))), "stream 0");
    String end = "000000000000000a" + "05" + "00000002" + "0000000000000009" + "0166";
    assertThrows(WireException.class, () -> SessionCodec.readData(hex(end + "00")), "bytes after the end");
    assertThrows(WireException.class, () -> SessionCodec.readData(hex(chunk.substring(0, 30))), "truncated");
    byte[] big = stream(9, SessionCodec.KIND_STREAM, 2, 7, "f", new byte[SessionCodec.MAX_STREAM_CHUNK + 1]);
    assertThrows(WireException.class, () -> SessionCodec.readData(Unpooled.wrappedBuffer(big)), "chunk too large");
    assertThrows(IllegalArgumentException.class, () -> stream(1, SessionCodec.KIND_STREAM_END, 1, 0, "f", new byte[1]));
    assertThrows(IllegalArgumentException.class, () -> stream(1, SessionCodec.KIND_SEND, 1, 0, "f", new byte[1]));
  }

  /**
   * A fragment of a message held as header + body slice (a composite, as zero-copy sends keep it)
   * is written byte for byte as the same message in one array, into heap and direct frames alike.
   */
  @Test
  void aFragmentOfACompositeMessageIsWrittenAsItsBytes() {
    byte[] head = {1, 2, 3, 4, 5};
    byte[] body = new byte[3000];
    new java.util.Random(3).nextBytes(body);
    io.netty.buffer.CompositeByteBuf composite = Unpooled.compositeBuffer();
    composite.addComponent(true, Unpooled.wrappedBuffer(head));
    composite.addComponent(true, Unpooled.wrappedBuffer(body, 1000, 2000));
    ByteBuf flat = Unpooled.buffer().writeBytes(head).writeBytes(body, 1000, 2000);
    for (ByteBuf out : List.of(Unpooled.buffer(8), Unpooled.directBuffer(8))) {
      ByteBuf expected = Unpooled.buffer();
      BundleCodec.writeFragment(expected, 9, 0, 1, 3, flat, 3, 1500);
      BundleCodec.writeFragment(out, 9, 0, 1, 3, composite, 3, 1500);
      assertEquals(ByteBufUtil.hexDump(expected), ByteBufUtil.hexDump(out));
      assertEquals(0, composite.readerIndex(), "the message is not consumed");
    }
  }

  @Test
  void creditAndStopGoldenBytesAndBadInput() {
    ByteBuf c = Unpooled.buffer();
    BundleCodec.writeCreditBody(c, 3, 0x0102030405L);
    assertEquals("00000003" + "0000000102030405", ByteBufUtil.hexDump(c));
    assertEquals(new BundleCodec.Credit(3, 0x0102030405L), BundleCodec.readCredit(c));
    assertThrows(WireException.class, () -> BundleCodec.readCredit(hex("00000003" + "8000000000000000")), "negative");
    assertThrows(WireException.class, () -> BundleCodec.readCredit(hex("00000003" + "00000000000000")), "truncated");
    assertThrows(WireException.class, () -> BundleCodec.readCredit(hex("00000003" + "000000000000000000")), "trailing");
    ByteBuf st = Unpooled.buffer();
    BundleCodec.writeStopBody(st, 4, 429);
    assertEquals("00000004" + "01ad", ByteBufUtil.hexDump(st));
    assertEquals(new BundleCodec.Stop(4, 429), BundleCodec.readStop(st));
    assertThrows(WireException.class, () -> BundleCodec.readStop(hex("00000000" + "01ad")), "stream 0");
    assertThrows(WireException.class, () -> BundleCodec.readStop(hex("00000004" + "01")), "truncated");
    // both ride in a bundle; other new types do not
    ByteBuf bundle = Unpooled.buffer();
    int at = BundleCodec.beginSubFrame(bundle, FrameType.CREDIT);
    BundleCodec.writeCreditBody(bundle, 0, 5);
    BundleCodec.endSubFrame(bundle, at);
    at = BundleCodec.beginSubFrame(bundle, FrameType.STOP);
    BundleCodec.writeStopBody(bundle, 1, 404);
    BundleCodec.endSubFrame(bundle, at);
    assertEquals("0a000c" + "00000000" + "0000000000000005" + "0b0006" + "00000001" + "0194", ByteBufUtil.hexDump(bundle));
    List<Object> seen = new java.util.ArrayList<>();
    BundleCodec.forEach(bundle, (type, body) -> seen.add(type == FrameType.CREDIT ? BundleCodec.readCredit(body) : BundleCodec.readStop(body)));
    assertEquals(List.of(new BundleCodec.Credit(0, 5), new BundleCodec.Stop(1, 404)), seen);
    assertThrows(WireException.class, () -> BundleCodec.forEach(hex("090000"), (type, body) -> { }), "a BUNDLE inside a bundle");
  }

  @Test
  void resetGoldenBytesRoundTripsAndBadInput() {
    ByteBuf r = Unpooled.buffer();
    BundleCodec.writeResetBody(r, 7, BundleCodec.SIDE_READER, 0xFFFFFFFEL);
    assertEquals("00000007" + "01" + "fffffffe", ByteBufUtil.hexDump(r));
    assertEquals(new BundleCodec.Reset(7, BundleCodec.SIDE_READER, 0xFFFFFFFEL), BundleCodec.readReset(r));
    java.util.Random rnd = new java.util.Random(15);
    for (int i = 0; i < 200; i++) {
      BundleCodec.Reset want = new BundleCodec.Reset(1 + rnd.nextInt(Integer.MAX_VALUE), rnd.nextInt(2), rnd.nextLong() & 0xFFFFFFFFL);
      ByteBuf b = Unpooled.buffer();
      BundleCodec.writeResetBody(b, want.stream(), want.side(), want.code());
      assertEquals(want, BundleCodec.readReset(b));
    }
    assertThrows(WireException.class, () -> BundleCodec.readReset(hex("00000000" + "00" + "00000001")), "stream 0");
    assertThrows(WireException.class, () -> BundleCodec.readReset(hex("00000007" + "02" + "00000001")), "side 2");
    assertThrows(WireException.class, () -> BundleCodec.readReset(hex("00000007" + "00" + "000001")), "truncated");
    assertThrows(WireException.class, () -> BundleCodec.readReset(hex("00000007" + "00" + "0000000100")), "trailing");
    assertThrows(IllegalArgumentException.class, () -> BundleCodec.writeResetBody(Unpooled.buffer(), 7, 0, -1));
    ByteBuf bundle = Unpooled.buffer();
    int at = BundleCodec.beginSubFrame(bundle, FrameType.RESET);
    BundleCodec.writeResetBody(bundle, 2, BundleCodec.SIDE_WRITER, 9);
    BundleCodec.endSubFrame(bundle, at);
    assertEquals("0c0009" + "00000002" + "00" + "00000009", ByteBufUtil.hexDump(bundle));
    List<Object> seen = new java.util.ArrayList<>();
    BundleCodec.forEach(bundle, (type, body) -> seen.add(BundleCodec.readReset(body)));
    assertEquals(List.of(new BundleCodec.Reset(2, BundleCodec.SIDE_WRITER, 9)), seen);
  }

  @Test
  void pingGoldenBytesAndItsPlaceInABundle() {
    ByteBuf bundle = Unpooled.buffer();
    BundleCodec.writePing(bundle);
    assertEquals("050000", ByteBufUtil.hexDump(bundle), "type PING, length 0");
    List<Object> seen = new java.util.ArrayList<>();
    BundleCodec.forEach(bundle, (type, body) -> seen.add(type + ":" + body.readableBytes()));
    assertEquals(List.of("PING:0"), seen);
    assertThrows(WireException.class, () -> BundleCodec.forEach(hex("0500"), (type, body) -> { }), "truncated");
    BundleCodec.forEach(hex("050000"), (type, body) -> BundleCodec.readPing(body));
    assertThrows(WireException.class, () -> BundleCodec.forEach(hex("05000100"), (type, body) -> BundleCodec.readPing(body)), "a PING has no body");
  }

  // ---------------------------------------------------------------- path MTU probes

  @Test
  void probeAndProbeAckGoldenBytes() {
    ByteBuf p = Unpooled.buffer();
    SessionCodec.writeProbe(p, 1500, 3);
    assertEquals("05dc" + "000000", ByteBufUtil.hexDump(p));
    assertEquals(1500, SessionCodec.readProbe(p));
    assertEquals(0, p.readableBytes(), "the padding is consumed");
    ByteBuf a = Unpooled.buffer();
    SessionCodec.writeProbeAck(a, 1500, 65507, 8_388_608);
    assertEquals("05dc" + "ffe3" + "00800000", ByteBufUtil.hexDump(a));
    assertEquals(new SessionCodec.ProbeAck(1500, 65507, 8_388_608), SessionCodec.readProbeAck(a));
  }

  @Test
  void probeRoundTripsAtRandomSizes() {
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 200; i++) {
      int size = r.nextInt(65_536);
      int pad = r.nextInt(2_000);
      ByteBuf p = Unpooled.buffer();
      SessionCodec.writeProbe(p, size, pad);
      assertEquals(SessionCodec.PROBE_HEADER + pad, p.readableBytes());
      assertEquals(size, SessionCodec.readProbe(p));
    }
  }

  @Test
  void badProbesAreRejected() {
    assertThrows(WireException.class, () -> SessionCodec.readProbe(hex("05")), "truncated");
    assertThrows(WireException.class, () -> SessionCodec.readProbe(hex("05dc0001")), "padding not zero");
    assertThrows(WireException.class, () -> SessionCodec.readProbeAck(hex("05dcffe3008000")), "truncated ack");
    assertThrows(WireException.class, () -> SessionCodec.readProbeAck(hex("05dcffe30080000000")), "trailing byte");
  }

  @Test
  void aResultMessageIsItsHeaderThenExactlyTheResult() {
    // MessageExchange encodes a reply once as a message and sends the part after the header as a RESULT sub-frame when it fits
    for (Object body : new Object[] {null, "ok", Buffer.buffer(new byte[] {1, 2, 3}), new JsonObject().put("a", 1)}) {
      ByteBuf message = Unpooled.buffer();
      SessionCodec.writeResultMessage(message, 9, 7, SessionCodec.OK, body);
      ByteBuf result = Unpooled.buffer();
      SessionCodec.writeResult(result, 7, SessionCodec.OK, body);
      assertEquals(ByteBufUtil.hexDump(result), ByteBufUtil.hexDump(message, SessionCodec.RESULT_MESSAGE_HEADER,
        message.readableBytes() - SessionCodec.RESULT_MESSAGE_HEADER));
      assertTrue(message.readableBytes() >= SessionCodec.RESULT_MESSAGE_BYTES + BodyCodec.minEncodedBytes(body), "a lower bound");
      assertEquals(7, SessionCodec.readResultMessage(message).msgId());
    }
  }
}
