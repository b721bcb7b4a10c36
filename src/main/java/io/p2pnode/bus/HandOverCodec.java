package io.p2pnode.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Event-bus codec ({@link Addresses#CODEC_HAND_OVER}) for a {@code Buffer} body that its sender hands
 * over: a message a peer sent, freshly decoded, on its way to a local consumer; or an application's
 * {@code p2p.send} body it will not change again. Local delivery hands the same buffer over instead
 * of copying it (the default codec copies every {@code Buffer} it delivers locally, to protect a
 * sender that keeps writing into it). The wire form (for completeness) is the default one.
 */
final class HandOverCodec implements MessageCodec<Buffer, Buffer> {
  static final String NAME = Addresses.CODEC_HAND_OVER;
  static final HandOverCodec INSTANCE = new HandOverCodec();

  private HandOverCodec() {
  }

  @Override
  public void encodeToWire(Buffer buffer, Buffer body) {
    buffer.appendInt(body.length()).appendBuffer(body);
  }

  @Override
  public Buffer decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return buffer.getBuffer(pos + 4, pos + 4 + length);
  }

  @Override
  public Buffer transform(Buffer body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
