package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;

/**
 * A datagram socket as code above the transport sees it. Implemented by the Netty/epoll
 * transport ({@link NettyUdpSocket}) and by the in-memory NAT lab, so sessions, punching and the
 * coordinator run unchanged on both.
 *
 * <p>Buffers: {@link #send} takes ownership of {@code data} and releases it. A
 * {@link PacketHandler} gets a buffer that is valid only during the call.
 */
public interface PacketSocket {
  /**
   * Sends one datagram; ownership of {@code data} passes to the socket. Never throws on I/O errors
   * (they are counted). A {@link TcpEndpoint} destination is not a UDP address: the frame goes
   * over that TCP connection instead, so code that answers "whoever sent this" works alike for
   * frames that came over TCP.
   */
  void send(ByteBuf data, InetSocketAddress to);

  /**
   * Hands what was sent so far in this loop turn to the kernel now, instead of at the turn's end
   * (a socket that sends at once has nothing to do).
   */
  default void flush() {
  }

  /** Allocator for datagrams this socket will send. */
  ByteBufAllocator alloc();

  /** The bound local address. */
  InetSocketAddress localAddress();

  /**
   * Sets the IP TTL of datagrams this socket sends from now on ({@code 0}: the system default).
   * Birthday probing opens NAT mappings with packets that die before the peer's NAT.
   *
   * @return false when this socket cannot set it
   */
  default boolean ttl(int hops) {
    return false;
  }

  /**
   * The largest UDP payload this socket's first hop carries without IP fragmentation (the egress
   * interface's MTU less the IP and UDP headers), or 0 when unknown (an unconnected socket): the
   * ceiling of path MTU probing.
   */
  default int firstHopMaxDatagram() {
    return 0;
  }

  /** The largest datagram this socket reads (larger ones are {@code OVERSIZE} drops), or 0 when not known. */
  default int readLimit() {
    return 0;
  }

  /** The socket's receive buffer in the kernel's accounting (SO_RCVBUF as read back), or 0 when not known. */
  default int receiveBufferBytes() {
    return 0;
  }

  /**
   * Connects this bound socket to {@code remote} from now on (the accept model's per-peer socket,
   * for a socket that was opened unconnected, such as the birthday socket a probe reached):
   * writes need no address, only that peer's datagrams arrive, and an ICMP port unreachable from
   * it runs {@code onUnreachable} on the socket's loop. Fails when this socket cannot connect.
   */
  default io.vertx.core.Future<Void> connectTo(InetSocketAddress remote, Runnable onUnreachable) {
    return io.vertx.core.Future.failedFuture(new UnsupportedOperationException("this socket does not connect"));
  }

  /** Closes the socket; idempotent. */
  void close();
}
