package io.p2pnode.transport;

import java.net.InetSocketAddress;

/**
 * How sessions open their connected per-peer sockets: the node's bind address (shared with the
 * listeners through SO_REUSEPORT), buffers, and the router every datagram goes through.
 */
public record PathSocketConfig(InetSocketAddress bind, int socketBufferBytes, int maxDatagramBytes, PacketHandler router,
                               Counters counters) {
}
