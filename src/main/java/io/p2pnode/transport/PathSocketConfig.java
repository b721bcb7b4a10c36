package io.p2pnode.transport;

import java.net.InetSocketAddress;

/**
 * How sessions open their connected per-peer sockets: the node's bind address (shared with the
 * listeners through SO_REUSEPORT), buffers, and the router every datagram goes through.
 *
 * @param maxDatagramBytes the largest datagram a connected socket reads ({@code listen.maxPathDatagramBytes}:
 *     path MTU probing may raise a direct path's datagrams up to it)
 */
public record PathSocketConfig(InetSocketAddress bind, int socketBufferBytes, int maxDatagramBytes, PacketHandler router,
                               Counters counters) {
}
