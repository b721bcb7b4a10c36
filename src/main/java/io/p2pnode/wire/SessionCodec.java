package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;

import static io.p2pnode.wire.WireBuf.*;

/**
 * Session-plane payloads, on the hot path: encoders write straight into the outgoing datagram.
 *
 * <pre>
 * DATA    msgId (64) | kind (8: 0 send, 1 request, 3 notify) | timeoutMs (32) | prev (64) | address str | body
 *         prev: the msgId of the message before this one to the same address (its stream), 0 for
 *         the first; the receiver hands a message over once its prev was
 *         or, for a chunk of a byte stream (kind 4) and its end (kind 5, no bytes):
 *         msgId (64) | kind (8: 4 chunk, 5 end) | stream (32) | prev (64) | address str | bytes
 *         stream: the id the sender gave the stream (1 and up, per session and direction); bytes run to
 *         the end of the message, raw (no body type); the receiver grants credit per stream (CREDIT)
 *         or, for a reply too large for a RESULT sub-frame:
 *         msgId (64) | kind (8: 2 result) | RESULT payload
 * RESULT  msgId (64) | code (16: 0 ok, else API failure code) | body (reply, or failure message string)
 * PING    timestamp (64)
 * PONG    echoed timestamp (64)
 * BYE     reason (8)
 * PMTU_PROBE  size (16) | zero padding to size
 *         size: the UDP payload bytes of the datagram that carries the probe, sealed
 * PMTU_ACK    size (16) | receiver max (16) | receive buffer (32)
 *         size: the probe's; receiver max: the largest datagram the receiver reads on this path;
 *         receive buffer: bytes its socket there holds (kernel accounting), 0 unknown
 * </pre>
 * {@code body} is a {@link BodyCodec} body and runs to the end of the datagram.
 */
public final class SessionCodec {
  public static final int KIND_SEND = 0;
  public static final int KIND_REQUEST = 1;
  /** A message that carries a RESULT too large for one datagram. */
  public static final int KIND_RESULT = 2;
  /**
   * A send whose sender awaits no result ({@code p2p.send} without a reply address): delivered as
   * reliably and in the same order as a send, but no RESULT travels back.
   */
  public static final int KIND_NOTIFY = 3;
  /** A chunk of a byte stream (P2pClient.openStream): raw bytes, ordered within the stream, under the receiver's credit. */
  public static final int KIND_STREAM = 4;
  /** The end of a byte stream: no bytes follow (the stream's last message). */
  public static final int KIND_STREAM_END = 5;
  /** Largest chunk of a byte stream in one message (a write larger than this is cut). */
  public static final int MAX_STREAM_CHUNK = 64 * 1024;
  /** RESULT code for success. */
  public static final int OK = 0;

  /**
   * A decoded DATA payload; {@code prev} is the id of the previous message of the same stream
   * (address) on this session, 0 for the first.
   */
  public record Data(long msgId, int kind, long timeoutMs, long prev, String address, Object body) {
    /** A message that starts its stream (or whose order does not matter). */
    public Data(long msgId, int kind, long timeoutMs, String address, Object body) {
      this(msgId, kind, timeoutMs, 0, address, body);
    }

    /** Whether it belongs to a byte stream ({@link #KIND_STREAM}, {@link #KIND_STREAM_END}). */
    public boolean isStream() {
      return isStreamKind(kind);
    }

    /** The byte stream's id (a byte-stream message carries it where others carry their timeout). */
    public int streamId() {
      return (int) timeoutMs;
    }
  }

  /** Whether {@code kind} is one of a byte stream's. */
  public static boolean isStreamKind(int kind) {
    return kind == KIND_STREAM || kind == KIND_STREAM_END;
  }

  /** A decoded RESULT payload; {@code body} is the failure message when {@code code != OK}. */
  public record Result(long msgId, int code, Object body) {
  }

  private SessionCodec() {
  }

  public static void writeData(ByteBuf out, long msgId, int kind, long timeoutMs, String address, Object body) {
    writeData(out, msgId, kind, timeoutMs, 0, address, body);
  }

  /** A DATA message that follows message {@code prev} of its stream (0: the first of its stream). */
  public static void writeData(ByteBuf out, long msgId, int kind, long timeoutMs, long prev, String address, Object body) {
    writeDataHeader(out, msgId, kind, timeoutMs, prev, address);
    BodyCodec.write(out, body);
  }

  /**
   * A DATA message whose body is a {@code Buffer}, up to its body: everything {@link #writeData}
   * writes before the body's bytes (the body's type byte included). The body's bytes follow it
   * unchanged, so a sender may keep them where they are (a composite buffer) instead of copying.
   */
  public static void writeBufferDataHeader(ByteBuf out, long msgId, int kind, long timeoutMs, long prev, String address) {
    writeDataHeader(out, msgId, kind, timeoutMs, prev, address);
    out.writeByte(BodyCodec.BUFFER);
  }

  private static void writeDataHeader(ByteBuf out, long msgId, int kind, long timeoutMs, long prev, String address) {
    out.writeLong(msgId);
    out.writeByte(kind);
    out.writeInt((int) timeoutMs);
    out.writeLong(prev);
    writeShortString(out, address);
  }

  /**
   * A byte-stream message: {@code len} bytes of {@code bytes} from {@code offset} (kind
   * {@link #KIND_STREAM}), or the stream's end ({@link #KIND_STREAM_END}, {@code len} 0).
   */
  public static void writeStream(ByteBuf out, long msgId, int kind, int streamId, long prev, String address,
                                 ByteBuf bytes, int offset, int len) {
    if (!isStreamKind(kind)) throw new IllegalArgumentException("not a stream kind: " + kind);
    if (kind == KIND_STREAM_END && len != 0) throw new IllegalArgumentException("a stream's end carries no bytes");
    writeStreamHeader(out, msgId, kind, streamId, prev, address);
    if (len > 0) out.writeBytes(bytes, offset, len);
  }

  /**
   * A byte-stream message up to its bytes: everything {@link #writeStream} writes before them (the
   * bytes follow unchanged, so a sender may keep them where they are instead of copying).
   */
  public static void writeStreamHeader(ByteBuf out, long msgId, int kind, int streamId, long prev, String address) {
    if (!isStreamKind(kind)) throw new IllegalArgumentException("not a stream kind: " + kind);
    out.writeLong(msgId);
    out.writeByte(kind);
    out.writeInt(streamId);
    out.writeLong(prev);
    writeShortString(out, address);
  }

  /** Bytes of a result message before its result: msgId, kind ({@link #writeResultMessage}). */
  public static final int RESULT_MESSAGE_HEADER = 9;
  /** Bytes of a result message before its body's type byte: the header, then the result's msgId and code. */
  public static final int RESULT_MESSAGE_BYTES = RESULT_MESSAGE_HEADER + 10;

  /**
   * Writes a reply as a message of its own (so it can be fragmented like any message). The bytes
   * after the first {@link #RESULT_MESSAGE_HEADER} are exactly what {@link #writeResult} writes.
   */
  public static void writeResultMessage(ByteBuf out, long msgId, long replyTo, int code, Object body) {
    out.writeLong(msgId);
    out.writeByte(KIND_RESULT);
    writeResult(out, replyTo, code, body);
  }

  /** The kind byte of an encoded message, without moving indices. */
  public static int kindOf(ByteBuf in) {
    if (in.readableBytes() < 9) throw new WireException("truncated message");
    return in.getUnsignedByte(in.readerIndex() + 8);
  }

  /** Reads a message of {@link #KIND_RESULT}: the reply it carries. */
  public static Result readResultMessage(ByteBuf in) {
    i64(in);
    if (u8(in) != KIND_RESULT) throw new WireException("not a result message");
    return readResult(in);
  }

  /** Bytes of a DATA message before its address: msgId (8), kind (1), timeout (4), prev (8), address length (1). */
  private static final int BEFORE_ADDRESS = 8 + 1 + 4 + 8 + 1;

  /**
   * Where the bytes of a {@code Buffer} body begin in a send, request or notify message, read from
   * its first bytes ({@code first}, e.g. its first fragment; not consumed): the offset just past the
   * body's type byte, or -1 when the message is of another kind or body type, or its header runs
   * past {@code first}. A reassembler puts the body's bytes straight into a buffer of their own
   * with it ({@link #readData(ByteBuf, io.vertx.core.buffer.Buffer)}). Only a hint: that decode
   * checks everything again.
   */
  public static int bufferBodyOffset(ByteBuf first) {
    int r = first.readerIndex();
    if (first.readableBytes() < BEFORE_ADDRESS) return -1;
    int kind = first.getUnsignedByte(r + 8);
    if (kind != KIND_SEND && kind != KIND_REQUEST && kind != KIND_NOTIFY) return -1;
    int typeAt = BEFORE_ADDRESS + first.getUnsignedByte(r + BEFORE_ADDRESS - 1);
    if (typeAt >= first.readableBytes() || first.getUnsignedByte(r + typeAt) != BodyCodec.BUFFER) return -1;
    return typeAt + 1;
  }

  /**
   * Decodes a send, request or notify message whose bytes come in two parts: {@code header},
   * everything up to and including the body's type byte (which must say {@code Buffer}), and the
   * {@code body}'s bytes, already in a buffer of their own (taken as it is, not copied).
   */
  public static Data readData(ByteBuf header, io.vertx.core.buffer.Buffer body) {
    return readData(header, (in, kind, streamId) -> {
      if (isStreamKind(kind)) throw new WireException("bad DATA kind " + kind + " for a split body");
      if (u8(in) != BodyCodec.BUFFER) throw new WireException("a split body that is not a Buffer");
      if (in.isReadable()) throw new WireException(in.readableBytes() + " bytes between the header and a split body");
      return body;
    });
  }

  /** Decodes a DATA message that came whole (the rest of {@code in}). */
  public static Data readData(ByteBuf in) {
    return readData(in, SessionCodec::readBody);
  }

  /** Reads a DATA message's body (the rest of {@code in}) once its header was read: {@code streamId} is the timeout field of a stream message. */
  @FunctionalInterface
  private interface BodyReader {
    Object read(ByteBuf in, int kind, long streamId);
  }

  /** The body of a message that came whole: a message body, or a byte stream's chunk copied once into a {@code Buffer}. */
  private static Object readBody(ByteBuf in, int kind, long streamId) {
    if (!isStreamKind(kind)) return BodyCodec.read(in);
    if (streamId == 0) throw new WireException("stream id 0");
    if (kind == KIND_STREAM_END && in.isReadable()) throw new WireException("bytes after a stream's end");
    if (in.readableBytes() > MAX_STREAM_CHUNK) throw new WireException("stream chunk of " + in.readableBytes() + " bytes");
    int len = in.readableBytes();
    io.vertx.core.buffer.Buffer bytes = BodyCodec.copyToBuffer(in, in.readerIndex(), len); // one copy (Buffer.buffer(byte[]) would copy again)
    in.skipBytes(len);
    return bytes;
  }

  /** A DATA message: its header's fields (checked), then its body by {@code body}. */
  private static Data readData(ByteBuf in, BodyReader body) {
    long id = i64(in);
    int kind = u8(in);
    if (kind != KIND_SEND && kind != KIND_REQUEST && kind != KIND_NOTIFY && !isStreamKind(kind)) {
      throw new WireException("bad DATA kind " + kind);
    }
    long timeout = i32(in) & 0xFFFFFFFFL;
    long prev = i64(in);
    if (prev < 0 || (prev >= id && id > 0)) throw new WireException("DATA prev " + prev + " does not come before " + id);
    String address = readShortString(in);
    if (address.isEmpty()) throw new WireException("empty address");
    return new Data(id, kind, timeout, prev, address, body.read(in, kind, timeout));
  }

  /**
   * At least the bytes of a DATA message's header before its body (msgId, kind, timeout, prev, the
   * address, a body type byte): a buffer of this size takes any of them without growing.
   */
  public static int headerBytesAtMost(String address) {
    return 32 + address.length() * 3;
  }

  public static void writeResult(ByteBuf out, long msgId, int code, Object body) {
    out.writeLong(msgId);
    out.writeShort(code);
    BodyCodec.write(out, body);
  }

  public static Result readResult(ByteBuf in) {
    long id = i64(in);
    int code = u16(in);
    Object body = BodyCodec.read(in);
    if (code != OK && !(body instanceof String)) throw new WireException("failure RESULT without message");
    return new Result(id, code, body);
  }

  /** PING, PONG: one 64-bit timestamp. */
  public static long readTimestamp(ByteBuf in) {
    long t = i64(in);
    end(in);
    return t;
  }

  public static int readBye(ByteBuf in) {
    int r = u8(in);
    end(in);
    return r;
  }

  /** Bytes of a PMTU_PROBE payload before its padding. */
  public static final int PROBE_HEADER = 2;
  /** Bytes of a PMTU_ACK payload. */
  public static final int PROBE_ACK_BYTES = 8;

  /** A PMTU_PROBE for a datagram of {@code size} bytes, padded with {@code padding} zeros. */
  public static void writeProbe(ByteBuf out, int size, int padding) {
    out.writeShort(size);
    out.writeZero(padding);
  }

  /** The datagram size a PMTU_PROBE claims; the padding must be zeros. */
  public static int readProbe(ByteBuf in) {
    int size = u16(in);
    for (int i = in.readerIndex(), end = in.writerIndex(); i < end; i++) {
      if (in.getByte(i) != 0) throw new WireException("PMTU_PROBE padding not zero");
    }
    in.skipBytes(in.readableBytes());
    return size;
  }

  /** A decoded PMTU_ACK. */
  public record ProbeAck(int size, int receiverMax, long receiveBuffer) {
  }

  public static void writeProbeAck(ByteBuf out, int size, int receiverMax, long receiveBuffer) {
    out.writeShort(size);
    out.writeShort(receiverMax);
    out.writeInt((int) Math.min(receiveBuffer, 0xFFFF_FFFFL));
  }

  public static ProbeAck readProbeAck(ByteBuf in) {
    int size = u16(in);
    int max = u16(in);
    long buffer = i32(in) & 0xFFFF_FFFFL;
    end(in);
    return new ProbeAck(size, max, buffer);
  }
}
