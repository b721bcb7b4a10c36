package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;

/**
 * Demultiplexing rule for one UDP port shared by STUN and node frames (RFC 7983 style, on the
 * first byte):
 * <ul>
 *   <li>0x00–0x03 with the STUN magic cookie at offset 4 and at least 20 bytes: {@link PacketKind#STUN}</li>
 *   <li>0xD0–0xDF with at least {@link FrameCodec#HEADER_BYTES} bytes: {@link PacketKind#FRAME}
 *       (the version in the low nibble is checked later, so a future version is counted apart)</li>
 *   <li>everything else, including empty datagrams: {@link PacketKind#GARBAGE}</li>
 * </ul>
 */
public final class Demux {
  private Demux() {
  }

  /** Classifies a datagram without moving its indices. */
  public static PacketKind classify(ByteBuf in) {
    int n = in.readableBytes();
    if (n == 0) return PacketKind.GARBAGE;
    int b0 = in.getUnsignedByte(in.readerIndex());
    if (b0 <= 0x03) {
      return n >= StunCodec.HEADER_BYTES && in.getInt(in.readerIndex() + 4) == StunCodec.MAGIC_COOKIE
        ? PacketKind.STUN : PacketKind.GARBAGE;
    }
    if ((b0 & 0xF0) == FrameCodec.MARKER) {
      return n >= FrameCodec.HEADER_BYTES ? PacketKind.FRAME : PacketKind.GARBAGE;
    }
    return PacketKind.GARBAGE;
  }
}
