package io.p2pnode.transport;

import io.p2pnode.wire.ControlMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

import java.net.InetSocketAddress;

/**
 * A decoded control frame and where it came from, as it travels over the local event bus from a
 * listener to the session manager or the coordinator. Never leaves the JVM.
 *
 * @param via the socket it arrived on, for answers that must leave from the same port
 */
public record InboundControl(ControlMessage message, InetSocketAddress sender, PacketSocket via) {

  /** Local-only delivery with the pass-through codec. */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(Codec.NAME);

  /** Registers the pass-through codec on an event bus (idempotent per bus). */
  public static void registerCodec(EventBus eb) {
    try {
      eb.registerCodec(new Codec());
    } catch (IllegalStateException alreadyRegistered) {
      // another node in this JVM shares the Vert.x instance
    }
  }

  /** Hands the object over as is: these messages are local only. */
  static final class Codec implements MessageCodec<InboundControl, InboundControl> {
    static final String NAME = "p2p-inbound-control";

    public void encodeToWire(Buffer buffer, InboundControl s) {
      throw new UnsupportedOperationException("local only");
    }

    public InboundControl decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("local only");
    }

    public InboundControl transform(InboundControl s) {
      return s;
    }

    public String name() {
      return NAME;
    }

    public byte systemCodecID() {
      return -1;
    }
  }
}
