package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.p2pnode.bus.Addresses;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.Demux;
import io.p2pnode.wire.FrameCodec;
import io.netty.buffer.Unpooled;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.PacketKind;
import io.p2pnode.wire.StunCodec;
import io.p2pnode.wire.WireException;
import io.vertx.core.eventbus.EventBus;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Classify, then dispatch (Aeron style): the one {@link PacketHandler} every listener socket uses.
 * <ul>
 *   <li>STUN Binding request → answered here, statelessly (when this node is a coordinator);</li>
 *   <li>session frame (session id ≠ 0) → the {@link FrameReceiver} that owns the id, directly;</li>
 *   <li>control frame (session id 0) → decoded, then to the {@link ControlSink}: the node's
 *       control plane or the coordinator;</li>
 *   <li>anything else → counted under a {@link Drop} reason.</li>
 * </ul>
 * Nothing thrown by a codec leaves this class.
 */
public final class PacketRouter implements PacketHandler {
  private final Counters counters;
  private final Map<Integer, ? extends FrameReceiver> sessions;
  private final ControlSink control;
  private final boolean coordinator;
  private final SourceRateLimiter perSource;

  /** @param perSource limits control frames and STUN requests per source IP */
  public PacketRouter(Counters counters, Map<Integer, ? extends FrameReceiver> sessions, ControlSink control,
                      boolean coordinator, SourceRateLimiter perSource) {
    this.counters = counters;
    this.sessions = sessions;
    this.control = control;
    this.coordinator = coordinator;
    this.perSource = perSource;
  }

  /**
   * The node's sink: the local event bus, to {@link Addresses#INTERNAL_COORDINATOR} and
   * {@link Addresses#INTERNAL_CONTROL}. At most {@code budget} frames wait for their consumer;
   * beyond that, and when no consumer is there yet, frames are counted drops.
   */
  public static ControlSink eventBusSink(EventBus eventBus, ControlBudget budget, Counters counters) {
    return new ControlSink() {
      public void toCoordinator(InboundControl in) {
        send(Addresses.INTERNAL_COORDINATOR, in);
      }

      public void toNode(InboundControl in) {
        send(Addresses.INTERNAL_CONTROL, in);
      }

      private void send(String address, InboundControl in) {
        if (!budget.tryAcquire()) {
          counters.drop(Drop.OVERLOAD);
          return;
        }
        eventBus.sender(address, InboundControl.LOCAL).write(in).onFailure(err -> {
          budget.release();
          counters.drop(Drop.UNEXPECTED_CONTROL);
        });
      }
    };
  }

  /** {@code sender} is normalised first ({@link Addrs#normalise}): everything after compares plain IPv4 for IPv4 peers. */
  @Override
  public void onPacket(PacketSocket socket, ByteBuf data, InetSocketAddress sender) {
    sender = Addrs.normalise(sender);
    switch (Demux.classify(data)) {
      case STUN -> onStun(socket, data, sender);
      case FRAME -> onFrame(socket, data, sender);
      default -> counters.drop(Drop.GARBAGE);
    }
  }

  private void onFrame(PacketSocket socket, ByteBuf data, InetSocketAddress sender) {
    FrameType type;
    try {
      type = FrameCodec.check(data);
    } catch (WireException e) {
      counters.drop((data.getUnsignedByte(data.readerIndex()) & 0x0F) != FrameCodec.VERSION ? Drop.BAD_VERSION : Drop.MALFORMED);
      return;
    }
    counters.frameIn(data.readableBytes());
    int sid = FrameCodec.sessionId(data);
    if (sid != 0) {
      FrameReceiver owner = sessions.get(sid);
      if (owner == null) {
        counters.drop(Drop.UNKNOWN_SESSION);
      } else {
        owner.onFrame(type, data, sender);
      }
      return;
    }
    if (!type.isControl() || type == FrameType.HELLO_ACK) {
      counters.drop(Drop.MALFORMED);
      return;
    }
    // relayed frames come in the name of the coordinator's address: limited at their origin
    if (!(sender instanceof RelayEndpoint) && !perSource.allow(sender.getAddress())) {
      counters.drop(Drop.RATE_LIMITED);
      return;
    }
    ControlMessage msg;
    try {
      data.skipBytes(FrameCodec.HEADER_BYTES);
      msg = ControlMessage.decode(type, data);
    } catch (WireException e) {
      counters.drop(Drop.MALFORMED);
      return;
    }
    if (msg instanceof ControlMessage.Relayed r) {
      onRelayed(socket, r, sender);
      return;
    }
    boolean toCoordinator = type == FrameType.REGISTER || type == FrameType.CONNECT || type == FrameType.UNREGISTER
      || type == FrameType.RELAY || type == FrameType.PROBE_ASK;
    if (toCoordinator && !coordinator) {
      counters.drop(Drop.UNEXPECTED_CONTROL);
      return;
    }
    InboundControl in = new InboundControl(msg, sender, socket);
    if (toCoordinator) control.toCoordinator(in);
    else control.toNode(in);
  }

  /** A frame a coordinator forwarded from a peer: handled as if it came from that peer's relay endpoint. */
  private void onRelayed(PacketSocket socket, ControlMessage.Relayed r, InetSocketAddress coordinator) {
    ByteBuf inner = Unpooled.wrappedBuffer(r.frame());
    if (Demux.classify(inner) != PacketKind.FRAME || (inner.getUnsignedByte(1) & 0xF0) == 0x20) {
      counters.drop(Drop.MALFORMED); // not a frame, or a relay inside a relay
      return;
    }
    counters.relayedIn();
    onFrame(socket, inner, new RelayEndpoint(coordinator, r.from()));
  }

  private void onStun(PacketSocket socket, ByteBuf data, InetSocketAddress sender) {
    if (!coordinator) {
      counters.drop(Drop.STUN_DISABLED);
      return;
    }
    if (!perSource.allow(sender.getAddress())) {
      counters.drop(Drop.RATE_LIMITED);
      return;
    }
    StunCodec.StunMessage m;
    try {
      m = StunCodec.decode(data);
    } catch (WireException e) {
      counters.drop(Drop.STUN_MALFORMED);
      return;
    }
    if (m.type() != StunCodec.BINDING_REQUEST) {
      counters.drop(Drop.STUN_UNEXPECTED);
      return;
    }
    ByteBuf out = socket.alloc().directBuffer(96);
    StunCodec.writeBindingSuccess(out, m.transactionId(), sender);
    socket.send(out, sender);
    counters.stunAnswered();
  }
}
