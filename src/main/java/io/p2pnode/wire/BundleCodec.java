package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;

import static io.p2pnode.wire.WireBuf.*;

/**
 * The reliable session plane: a BUNDLE frame carries sub-frames, so small messages, results and
 * acknowledgements share one datagram and one packet number.
 *
 * <pre>
 * BUNDLE payload   ( type (8) | length (16) | body ) *
 *
 * DATA (fragment)  msgId (64) | flags (8: bit 0 unreliable) | index (16) | count (16) | chunk
 *                  the chunks of a message, in index order, are its {@link SessionCodec#writeData} encoding
 * RESULT           a {@link SessionCodec#writeResult} payload
 * ACK              largest (64) | ack delay µs (32) | window (64) | n (8) | n × ( first (64) | last (64) )
 *                  ranges of received packet numbers, highest first, the first ending at largest;
 *                  window = the highest message id the receiver accepts now (flow control)
 * CREDIT           stream (32) | max (64)
 *                  the receiver accepts bytes of byte stream {@code stream} up to offset {@code max} (QUIC's
 *                  MAX_STREAM_DATA); stream 0: bytes of all streams of the session together (MAX_DATA).
 *                  Only ever grows: a stale copy changes nothing
 * STOP             stream (32) | code (16)
 *                  the receiver refuses byte stream {@code stream} (404 no handler, 429 too many streams,
 *                  400 bytes beyond the credit):
 *                  the sender fails it with {@code code} and sends no more of it
 * RESET            stream (32) | side (8) | code (32)
 *                  the application abandons byte stream {@code stream} with its own {@code code} (QUIC's
 *                  RESET_STREAM and STOP_SENDING in one): side 0, a stream the sender of this sub-frame
 *                  opened (its writer gives up: the peer's reader fails, later bytes are dropped); side 1,
 *                  a stream the peer opened (its reader gives up: the peer's writer fails and sends no more)
 * PING             (empty body) asks for an acknowledgement and carries nothing else (QUIC's PING):
 *                  the first probe after a probe timeout
 * </pre>
 */
public final class BundleCodec {
  /** Bytes a sub-frame header takes. */
  public static final int SUB_HEADER = 3;
  /** Bytes a DATA fragment adds before its chunk. */
  public static final int FRAGMENT_HEADER = 8 + 1 + 2 + 2;
  /** Upper bound on ranges in one ACK (keeps an ACK under 300 bytes). */
  public static final int MAX_ACK_RANGES = 16;
  public static final int FLAG_UNRELIABLE = 1;
  /** Bytes of a CREDIT sub-frame body. */
  public static final int CREDIT_BYTES = 4 + 8;
  /** Bytes of a STOP sub-frame body. */
  public static final int STOP_BYTES = 4 + 2;
  /** Bytes of a RESET sub-frame body. */
  public static final int RESET_BYTES = 4 + 1 + 4;
  /** RESET side: a stream the sender of the sub-frame opened (its writer resets it). */
  public static final int SIDE_WRITER = 0;
  /** RESET side: a stream the peer opened (the reader, who sends the sub-frame, resets it). */
  public static final int SIDE_READER = 1;

  /** One sub-frame, handed over during {@link #forEach}; {@code body} is valid only during the call. */
  @FunctionalInterface
  public interface SubFrameHandler {
    void onSubFrame(FrameType type, ByteBuf body);
  }

  /** A decoded CREDIT: bytes of {@code stream} (0: the whole session) accepted up to {@code max}. */
  public record Credit(int stream, long max) {
  }

  /** A decoded STOP: the receiver refused {@code stream} with {@code code}. */
  public record Stop(int stream, int code) {
  }

  /** A decoded RESET: {@code side} ({@link #SIDE_WRITER} or {@link #SIDE_READER}) abandoned {@code stream} with {@code code}. */
  public record Reset(int stream, int side, long code) {
  }

  /** A decoded ACK; {@code ranges} holds first/last pairs, highest first. */
  public record Ack(long largest, long ackDelayMicros, long window, long[] ranges) {
  }

  private BundleCodec() {
  }

  /** Starts a sub-frame; returns the position of its length field for {@link #endSubFrame}. */
  public static int beginSubFrame(ByteBuf out, FrameType type) {
    out.writeByte(type.code());
    int at = out.writerIndex();
    out.writeShort(0);
    return at;
  }

  /** Fills in the length of the sub-frame begun at {@code lengthAt}. */
  public static void endSubFrame(ByteBuf out, int lengthAt) {
    out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
  }

  /** Appends a DATA fragment sub-frame: header, then {@code len} bytes of {@code message} from {@code offset}. */
  public static void writeFragment(ByteBuf out, long msgId, int flags, int index, int count, ByteBuf message, int offset, int len) {
    int at = beginSubFrame(out, FrameType.DATA);
    out.writeLong(msgId).writeByte(flags).writeShort(index).writeShort(count);
    // component by component: writeBytes would flatten a composite message (header + body slice)
    // into a new array first
    out.ensureWritable(len);
    message.getBytes(offset, out, out.writerIndex(), len);
    out.writerIndex(out.writerIndex() + len);
    endSubFrame(out, at);
  }

  /** Appends an ACK sub-frame. */
  public static void writeAck(ByteBuf out, long largest, long ackDelayMicros, long window, long[] ranges) {
    int at = beginSubFrame(out, FrameType.ACK);
    out.writeLong(largest).writeInt((int) Math.min(ackDelayMicros, 0xFFFFFFFFL)).writeLong(window);
    int n = Math.min(ranges.length / 2, MAX_ACK_RANGES);
    out.writeByte(n);
    for (int i = 0; i < 2 * n; i++) out.writeLong(ranges[i]);
    endSubFrame(out, at);
  }

  /** The body of a CREDIT sub-frame (what {@link #readCredit} reads). */
  public static void writeCreditBody(ByteBuf out, int stream, long max) {
    if (max < 0) throw new IllegalArgumentException("credit " + max);
    out.writeInt(stream).writeLong(max);
  }

  /** Decodes a CREDIT sub-frame body. */
  public static Credit readCredit(ByteBuf in) {
    int stream = i32(in);
    long max = i64(in);
    end(in);
    if (max < 0) throw new WireException("negative credit");
    return new Credit(stream, max);
  }

  /** The body of a STOP sub-frame (what {@link #readStop} reads). */
  public static void writeStopBody(ByteBuf out, int stream, int code) {
    out.writeInt(stream).writeShort(code);
  }

  /** Decodes a STOP sub-frame body. */
  public static Stop readStop(ByteBuf in) {
    int stream = i32(in);
    int code = u16(in);
    end(in);
    if (stream == 0) throw new WireException("STOP of stream 0");
    return new Stop(stream, code);
  }

  /** Appends a PING sub-frame (no body): the bundle is acknowledged although it carries no data. */
  public static void writePing(ByteBuf out) {
    endSubFrame(out, beginSubFrame(out, FrameType.PING));
  }

  /** Checks a PING sub-frame's body: it has none. */
  public static void readPing(ByteBuf in) {
    end(in);
  }

  /** The body of a RESET sub-frame (what {@link #readReset} reads); {@code code} 0 to 2^32 - 1. */
  public static void writeResetBody(ByteBuf out, int stream, int side, long code) {
    requireResetCode(code);
    out.writeInt(stream).writeByte(side).writeInt((int) code);
  }

  /** {@code code}, when it is a reset code (0 to 2^32 - 1); else an IllegalArgumentException naming it. */
  public static long requireResetCode(long code) {
    if (code < 0 || code > 0xFFFFFFFFL) throw new IllegalArgumentException("reset code " + code + " is not 0 to 4294967295");
    return code;
  }

  /** Decodes a RESET sub-frame body. */
  public static Reset readReset(ByteBuf in) {
    int stream = i32(in);
    int side = u8(in);
    long code = i32(in) & 0xFFFFFFFFL;
    end(in);
    if (stream == 0) throw new WireException("RESET of stream 0");
    if (side != SIDE_WRITER && side != SIDE_READER) throw new WireException("RESET side " + side);
    return new Reset(stream, side, code);
  }

  /** Decodes an ACK sub-frame body. */
  public static Ack readAck(ByteBuf in) {
    long largest = i64(in);
    long delay = i32(in) & 0xFFFFFFFFL;
    long window = i64(in);
    int n = u8(in);
    if (n == 0 || n > MAX_ACK_RANGES) throw new WireException("bad ACK range count " + n);
    long[] ranges = new long[2 * n];
    long previousFirst = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      long first = i64(in);
      long last = i64(in);
      if (first > last || last >= previousFirst || (i == 0 && last != largest) || first < 0) throw new WireException("bad ACK range");
      ranges[2 * i] = first;
      ranges[2 * i + 1] = last;
      previousFirst = first;
    }
    end(in);
    return new Ack(largest, delay, window, ranges);
  }

  /**
   * Walks the sub-frames of a BUNDLE payload (reader index at the payload).
   *
   * @throws WireException on a truncated sub-frame or an unknown sub-frame type
   */
  public static void forEach(ByteBuf in, SubFrameHandler handler) {
    while (in.isReadable()) {
      FrameType type = FrameType.of(u8(in));
      int len = u16(in);
      need(in, len);
      if (type != FrameType.DATA && type != FrameType.RESULT && type != FrameType.ACK && type != FrameType.CREDIT
        && type != FrameType.STOP && type != FrameType.RESET && type != FrameType.PING) {
        throw new WireException("sub-frame type " + type + " not allowed in a bundle");
      }
      ByteBuf body = in.readSlice(len);
      handler.onSubFrame(type, body);
    }
  }
}
