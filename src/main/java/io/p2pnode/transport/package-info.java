/**
 * UDP transport: the {@link io.p2pnode.transport.PacketSocket} interface that everything above
 * the transport uses, its Netty/epoll implementation, the SO_REUSEPORT listener verticles, the
 * classify-then-dispatch {@link io.p2pnode.transport.PacketRouter}, the drop counters, and the
 * UDP batching the sockets use where the kernel offers it ({@link io.p2pnode.transport.UdpOffload}:
 * sendmmsg, GSO, GRO, recvmmsg).
 */
package io.p2pnode.transport;
