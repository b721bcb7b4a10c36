package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.p2pnode.wire.FrameType;

import java.net.InetSocketAddress;

/**
 * The owner of a session id: receives that session's frames. {@code frame} is the whole datagram
 * (header included) and is valid only during the call; an owner on another event loop retains it.
 */
public interface FrameReceiver {
  void onFrame(FrameType type, ByteBuf frame, InetSocketAddress sender);
}
