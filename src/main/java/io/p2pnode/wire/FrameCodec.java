package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;

/**
 * Header codec of the node's own frames. Pure functions over {@link ByteBuf}: no I/O, no state.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |1 1 0 1|version|     type      |     flags     |  reserved (0) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  receiver session id (32)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                     packet number (64)                        +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 payload (type-specific) ...                   |
 * </pre>
 *
 * <p>The first byte is {@code 0xD0 | version} (version 2 = {@code 0xD2}). Demultiplexing on that
 * byte (see {@link Demux}): STUN starts with 0x00–0x03 (RFC 8489, RFC 7983) and the 0xC0–0xFF
 * range is unassigned by RFC 7983, so node frames never collide with STUN, DTLS, TURN channels
 * or RTP on a shared port. Session id 0 marks control frames (registration, introduction, first
 * contact); any other value is the id the receiver chose for the session. The 64-bit packet
 * number grows by one per frame and session; it is the AEAD nonce once sessions are encrypted,
 * with the header as associated data.
 */
public final class FrameCodec {
  /** Bytes before the payload. */
  public static final int HEADER_BYTES = 16;
  /** Marker nibble in the high half of byte 0. */
  public static final int MARKER = 0xD0;
  /**
   * The only version this build speaks. 2: DATA names its stream's previous message ({@code prev}),
   * byte streams (DATA kinds 4 and 5), the CREDIT and STOP sub-frames, PMTU_PROBE and PMTU_ACK;
   * version 1 nodes drop its frames (counted as bad version) and it drops theirs.
   */
  public static final int VERSION = 2;
  /** Flag bit of sealed session frames: which of the session's two key sets sealed it (key phase). */
  public static final int FLAG_KEY_PHASE = 0x01;

  private FrameCodec() {
  }

  /** Appends a header at the writer index. */
  public static void writeHeader(ByteBuf out, FrameType type, int flags, int receiverSessionId, long packetNumber) {
    out.writeByte(MARKER | VERSION);
    out.writeByte(type.code());
    out.writeByte(flags);
    out.writeByte(0);
    out.writeInt(receiverSessionId);
    out.writeLong(packetNumber);
  }

  /**
   * Validates the header of a datagram already classified as a frame, without moving indices.
   *
   * @return the frame type
   * @throws WireException when truncated, of another version, of unknown type or with reserved bits set
   */
  public static FrameType check(ByteBuf in) {
    int start = in.readerIndex();
    if (in.readableBytes() < HEADER_BYTES) throw new WireException("frame shorter than header: " + in.readableBytes());
    int b0 = in.getUnsignedByte(start);
    if ((b0 & 0xF0) != MARKER) throw new WireException("not a frame");
    if ((b0 & 0x0F) != VERSION) throw new WireException("unsupported version " + (b0 & 0x0F));
    FrameType type = FrameType.of(in.getUnsignedByte(start + 1));
    if (type == null) throw new WireException("unknown frame type " + in.getUnsignedByte(start + 1));
    if (in.getUnsignedByte(start + 3) != 0) throw new WireException("reserved byte set");
    return type;
  }

  /** The flags byte. */
  public static int flags(ByteBuf in) {
    return in.getUnsignedByte(in.readerIndex() + 2);
  }

  /** The receiver's session id. */
  public static int sessionId(ByteBuf in) {
    return in.getInt(in.readerIndex() + 4);
  }

  /** The packet number. */
  public static long packetNumber(ByteBuf in) {
    return in.getLong(in.readerIndex() + 8);
  }
}
