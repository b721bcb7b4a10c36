package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Field primitives shared by the payload codecs. Every read checks bounds first and throws
 * {@link WireException} instead of Netty's index exceptions.
 *
 * <pre>
 * short string : len (8) | UTF-8 bytes (len)
 * endpoint     : family (8: 4 or 6) | port (16) | address (4 or 16 bytes)
 * endpoints    : count (8) | endpoint * count
 * </pre>
 */
public final class WireBuf {
  /** Upper bound on endpoints in one list: a host rarely has more interfaces than this. */
  public static final int MAX_ENDPOINTS = 16;

  private WireBuf() {
  }

  static void need(ByteBuf in, int n) {
    if (in.readableBytes() < n) throw new WireException("truncated: need " + n + " bytes, have " + in.readableBytes());
  }

  public static int u8(ByteBuf in) {
    need(in, 1);
    return in.readUnsignedByte();
  }

  public static int u16(ByteBuf in) {
    need(in, 2);
    return in.readUnsignedShort();
  }

  public static int i32(ByteBuf in) {
    need(in, 4);
    return in.readInt();
  }

  public static long i64(ByteBuf in) {
    need(in, 8);
    return in.readLong();
  }

  /** Writes a string of at most 255 UTF-8 bytes. */
  public static void writeShortString(ByteBuf out, String s) {
    int len = ByteBufUtil.utf8Bytes(s);
    if (len > 255) throw new IllegalArgumentException("string longer than 255 bytes: " + s.length() + " chars");
    out.writeByte(len);
    ByteBufUtil.reserveAndWriteUtf8(out, s, len);
  }

  /** Cuts {@code s} to at most {@code maxBytes} UTF-8 bytes on a code-point boundary. */
  public static String truncateUtf8(String s, int maxBytes) {
    if (ByteBufUtil.utf8Bytes(s) <= maxBytes) return s;
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > maxBytes) break;
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  public static String readShortString(ByteBuf in) {
    int len = u8(in);
    need(in, len);
    String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
    in.skipBytes(len);
    return s;
  }

  /**
   * Writes {@code a}; an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address
   * it stands for, which is what {@link #readEndpoint} gives back for either form.
   */
  public static void writeEndpoint(ByteBuf out, InetSocketAddress a) {
    byte[] addr = a.getAddress().getAddress();
    if (ipv4Mapped(addr)) addr = java.util.Arrays.copyOfRange(addr, 12, 16);
    out.writeByte(addr.length == 4 ? 4 : 6);
    out.writeShort(a.getPort());
    out.writeBytes(addr);
  }

  /** Whether {@code addr} is an IPv4-mapped IPv6 address, {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2). */
  public static boolean ipv4Mapped(byte[] addr) {
    if (addr.length != 16 || addr[10] != (byte) 0xFF || addr[11] != (byte) 0xFF) return false;
    for (int i = 0; i < 10; i++) if (addr[i] != 0) return false;
    return true;
  }

  public static InetSocketAddress readEndpoint(ByteBuf in) {
    int family = u8(in);
    int len = family == 4 ? 4 : family == 6 ? 16 : -1;
    if (len < 0) throw new WireException("bad address family " + family);
    int port = u16(in);
    need(in, len);
    byte[] addr = new byte[len];
    in.readBytes(addr);
    try {
      return new InetSocketAddress(InetAddress.getByAddress(addr), port);
    } catch (UnknownHostException e) {
      throw new WireException("bad address");
    }
  }

  public static void writeEndpoints(ByteBuf out, List<InetSocketAddress> list) {
    if (list.size() > MAX_ENDPOINTS) throw new IllegalArgumentException("more than " + MAX_ENDPOINTS + " endpoints");
    out.writeByte(list.size());
    for (InetSocketAddress a : list) writeEndpoint(out, a);
  }

  public static List<InetSocketAddress> readEndpoints(ByteBuf in) {
    int n = u8(in);
    if (n > MAX_ENDPOINTS) throw new WireException("too many endpoints: " + n);
    List<InetSocketAddress> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(readEndpoint(in));
    return List.copyOf(out);
  }

  /** Rejects trailing bytes after a fully decoded payload. */
  public static void end(ByteBuf in) {
    if (in.isReadable()) throw new WireException(in.readableBytes() + " trailing bytes");
  }
}
