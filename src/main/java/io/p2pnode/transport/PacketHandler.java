package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/** Receives datagrams from a {@link PacketSocket}. {@code data} is valid only during the call. */
@FunctionalInterface
public interface PacketHandler {
  void onPacket(PacketSocket socket, ByteBuf data, InetSocketAddress sender);
}
