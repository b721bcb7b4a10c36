/**
 * UDP transport: the {@link io.p2pnode.transport.PacketSocket} interface that everything above
 * the transport uses, its Netty/epoll implementation, the SO_REUSEPORT listener verticles, the
 * classify-then-dispatch {@link io.p2pnode.transport.PacketRouter} and the drop counters.
 */
package io.p2pnode.transport;
