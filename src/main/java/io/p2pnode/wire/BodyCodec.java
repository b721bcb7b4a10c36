package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Message bodies as they cross the wire: one type byte, then the bytes to the end of the
 * datagram. Types: 0 null, 1 UTF-8 string, 2 raw bytes ({@link Buffer}), 3 JSON object,
 * 4 JSON array. The receiver rebuilds the same Java type, so an application gets on the remote
 * node what it sent on this one.
 */
public final class BodyCodec {
  public static final int NULL = 0;
  public static final int STRING = 1;
  public static final int BUFFER = 2;
  public static final int JSON_OBJECT = 3;
  public static final int JSON_ARRAY = 4;

  private BodyCodec() {
  }

  /** The type byte for a body, or -1 when the type cannot be carried. */
  public static int typeOf(Object body) {
    if (body == null) return NULL;
    if (body instanceof String) return STRING;
    if (body instanceof Buffer) return BUFFER;
    if (body instanceof JsonObject) return JSON_OBJECT;
    if (body instanceof JsonArray) return JSON_ARRAY;
    return -1;
  }

  /**
   * A cheap lower bound of the encoded size, so an oversized body is refused before it is copied.
   */
  public static int minEncodedBytes(Object body) {
    if (body instanceof String s) return 1 + s.length();
    if (body instanceof Buffer b) return 1 + b.length();
    return 1;
  }

  /** Appends type byte and body. {@code typeOf(body)} must not be -1. */
  public static void write(ByteBuf out, Object body) {
    int type = typeOf(body);
    out.writeByte(type);
    switch (type) {
      case NULL -> { }
      case STRING -> {
        // exact size: writeCharSequence would reserve 3 bytes a char and overflow a capped buffer
        String str = (String) body;
        io.netty.buffer.ByteBufUtil.reserveAndWriteUtf8(out, str, io.netty.buffer.ByteBufUtil.utf8Bytes(str));
      }
      case BUFFER -> {
        ByteBuf src = ((BufferInternal) body).getByteBuf();
        out.writeBytes(src, src.readerIndex(), src.readableBytes());
      }
      case JSON_OBJECT, JSON_ARRAY -> {
        ByteBuf src = ((BufferInternal) (type == JSON_OBJECT ? ((JsonObject) body).toBuffer() : ((JsonArray) body).toBuffer())).getByteBuf();
        out.writeBytes(src, src.readerIndex(), src.readableBytes());
      }
      default -> throw new IllegalArgumentException("unsupported body type " + body.getClass().getName());
    }
  }

  /**
   * The {@code len} bytes at {@code at} as a Vert.x {@code Buffer} of its own (one copy, into a heap
   * buffer that grows when appended to, as the event bus's), so {@code in} may be released.
   */
  public static io.vertx.core.buffer.Buffer copyToBuffer(ByteBuf in, int at, int len) {
    ByteBuf copy = VertxByteBufAllocator.DEFAULT.heapBuffer(len, Integer.MAX_VALUE);
    in.getBytes(at, copy, len);
    return BufferInternal.buffer(copy);
  }

  /**
   * Reads type byte and body, consuming the rest of {@code in}, into a new heap object; a
   * {@code Buffer} body is copied once, into a growable buffer of its own (as Vert.x makes them).
   */
  public static Object read(ByteBuf in) {
    int type = WireBuf.u8(in);
    int len = in.readableBytes();
    int at = in.readerIndex();
    in.skipBytes(len);
    try {
      return switch (type) {
        case NULL -> {
          if (len != 0) throw new WireException("null body with " + len + " bytes");
          yield null;
        }
        case STRING -> in.toString(at, len, StandardCharsets.UTF_8);
        case BUFFER -> copyToBuffer(in, at, len);
        case JSON_OBJECT -> new JsonObject(in.toString(at, len, StandardCharsets.UTF_8));
        case JSON_ARRAY -> new JsonArray(in.toString(at, len, StandardCharsets.UTF_8));
        default -> throw new WireException("unknown body type " + type);
      };
    } catch (DecodeException e) {
      throw new WireException("body is not valid JSON");
    }
  }
}
