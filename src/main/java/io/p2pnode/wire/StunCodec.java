package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * STUN (RFC 8489) codec for the Binding method: requests from any client, success responses
 * with XOR-MAPPED-ADDRESS (and MAPPED-ADDRESS for RFC 3489 clients), SOFTWARE and FINGERPRINT.
 * Pure functions over {@link ByteBuf}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Magic Cookie = 0x2112A442                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Transaction ID (96 bits)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Attributes: Type (16) | Length (16) | Value, padded to 4 bytes |
 * </pre>
 *
 * <p>A message is rejected ({@link WireException}) when shorter than 20 bytes, when the length
 * field disagrees with the datagram or is not a multiple of 4, when an attribute overruns the
 * message, or when a FINGERPRINT is present but not last or does not match.
 */
public final class StunCodec {
  public static final int HEADER_BYTES = 20;
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_SUCCESS = 0x0101;
  public static final int ATTR_MAPPED_ADDRESS = 0x0001;
  public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  public static final int ATTR_SOFTWARE = 0x8022;
  public static final int ATTR_FINGERPRINT = 0x8028;
  private static final int FINGERPRINT_XOR = 0x5354554e;
  private static final byte[] SOFTWARE = "p2p-node".getBytes(StandardCharsets.US_ASCII);

  /** A decoded STUN message: type, transaction id and the mapped address if it carried one. */
  public record StunMessage(int type, byte[] transactionId, InetSocketAddress mappedAddress, boolean fingerprint) {
  }

  private StunCodec() {
  }

  /** Decodes a STUN message without moving indices. */
  public static StunMessage decode(ByteBuf in) {
    int start = in.readerIndex();
    int n = in.readableBytes();
    if (n < HEADER_BYTES) throw new WireException("STUN message shorter than 20 bytes");
    int type = in.getUnsignedShort(start);
    if ((type & 0xC000) != 0) throw new WireException("STUN type has top bits set");
    int length = in.getUnsignedShort(start + 2);
    if (in.getInt(start + 4) != MAGIC_COOKIE) throw new WireException("no STUN magic cookie");
    if (length % 4 != 0 || HEADER_BYTES + length != n) throw new WireException("STUN length " + length + " does not match datagram " + n);
    byte[] txId = new byte[12];
    in.getBytes(start + 8, txId);
    InetSocketAddress mapped = null;
    InetSocketAddress xorMapped = null;
    boolean fingerprint = false;
    int pos = start + HEADER_BYTES;
    int end = start + n;
    while (pos < end) {
      if (fingerprint) throw new WireException("STUN attribute after FINGERPRINT");
      if (end - pos < 4) throw new WireException("truncated STUN attribute header");
      int attr = in.getUnsignedShort(pos);
      int len = in.getUnsignedShort(pos + 2);
      int value = pos + 4;
      if (value + len > end) throw new WireException("STUN attribute overruns message");
      if (attr == ATTR_FINGERPRINT) {
        if (len != 4) throw new WireException("bad FINGERPRINT length");
        int expected = crc(in, start, pos - start) ^ FINGERPRINT_XOR;
        if (in.getInt(value) != expected) throw new WireException("FINGERPRINT mismatch");
        fingerprint = true;
      } else if (attr == ATTR_XOR_MAPPED_ADDRESS) {
        xorMapped = readAddress(in, value, len, true, txId);
      } else if (attr == ATTR_MAPPED_ADDRESS) {
        mapped = readAddress(in, value, len, false, txId);
      }
      pos = value + ((len + 3) & ~3);
    }
    return new StunMessage(type, txId, xorMapped != null ? xorMapped : mapped, fingerprint);
  }

  /** Writes a Binding request with the given 12-byte transaction id (and a FINGERPRINT). */
  public static void writeBindingRequest(ByteBuf out, byte[] txId) {
    int start = out.writerIndex();
    writeHeader(out, BINDING_REQUEST, txId);
    finish(out, start);
  }

  /** Writes a Binding success response telling the client its reflexive address. */
  public static void writeBindingSuccess(ByteBuf out, byte[] txId, InetSocketAddress mapped) {
    int start = out.writerIndex();
    writeHeader(out, BINDING_SUCCESS, txId);
    writeAddress(out, ATTR_XOR_MAPPED_ADDRESS, mapped, true, txId);
    writeAddress(out, ATTR_MAPPED_ADDRESS, mapped, false, txId);
    out.writeShort(ATTR_SOFTWARE).writeShort(SOFTWARE.length).writeBytes(SOFTWARE);
    pad(out, SOFTWARE.length);
    finish(out, start);
  }

  private static void writeHeader(ByteBuf out, int type, byte[] txId) {
    if (txId.length != 12) throw new IllegalArgumentException("transaction id must be 12 bytes");
    out.writeShort(type).writeShort(0).writeInt(MAGIC_COOKIE).writeBytes(txId);
  }

  /** Sets the length (including the FINGERPRINT to come) and appends the FINGERPRINT. */
  private static void finish(ByteBuf out, int start) {
    int fpPos = out.writerIndex();
    out.setShort(start + 2, fpPos - start - HEADER_BYTES + 8);
    int crc = crc(out, start, fpPos - start) ^ FINGERPRINT_XOR;
    out.writeShort(ATTR_FINGERPRINT).writeShort(4).writeInt(crc);
  }

  private static void writeAddress(ByteBuf out, int attr, InetSocketAddress a, boolean xor, byte[] txId) {
    byte[] addr = a.getAddress().getAddress();
    out.writeShort(attr).writeShort(4 + addr.length).writeByte(0).writeByte(addr.length == 4 ? 1 : 2);
    int port = a.getPort();
    if (xor) {
      port ^= MAGIC_COOKIE >>> 16;
      byte[] mask = xorMask(txId);
      for (int i = 0; i < addr.length; i++) addr[i] ^= mask[i];
    }
    out.writeShort(port).writeBytes(addr);
  }

  private static InetSocketAddress readAddress(ByteBuf in, int pos, int len, boolean xor, byte[] txId) {
    if (len < 4) throw new WireException("address attribute too short");
    int family = in.getUnsignedByte(pos + 1);
    int addrLen = family == 1 ? 4 : family == 2 ? 16 : -1;
    if (addrLen < 0 || len != 4 + addrLen) throw new WireException("bad address family or length");
    int port = in.getUnsignedShort(pos + 2);
    byte[] addr = new byte[addrLen];
    in.getBytes(pos + 4, addr);
    if (xor) {
      port ^= MAGIC_COOKIE >>> 16;
      byte[] mask = xorMask(txId);
      for (int i = 0; i < addrLen; i++) addr[i] ^= mask[i];
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(addr), port);
    } catch (UnknownHostException e) {
      throw new WireException("bad address");
    }
  }

  private static byte[] xorMask(byte[] txId) {
    byte[] mask = new byte[16];
    mask[0] = (byte) (MAGIC_COOKIE >>> 24);
    mask[1] = (byte) (MAGIC_COOKIE >>> 16);
    mask[2] = (byte) (MAGIC_COOKIE >>> 8);
    mask[3] = (byte) MAGIC_COOKIE;
    System.arraycopy(txId, 0, mask, 4, 12);
    return mask;
  }

  private static void pad(ByteBuf out, int len) {
    for (int i = len; (i & 3) != 0; i++) out.writeByte(0);
  }

  private static int crc(ByteBuf buf, int from, int len) {
    CRC32 crc = new CRC32();
    crc.update(buf.nioBuffer(from, len));
    return (int) crc.getValue();
  }
}
