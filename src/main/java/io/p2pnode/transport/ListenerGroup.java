package io.p2pnode.transport;

import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The node's listener sockets, all bound to one UDP port. Code that sends picks the socket on its
 * own event loop ({@link #socketFor}) so a write needs no thread hop.
 */
public final class ListenerGroup {
  private final List<NettyUdpSocket> sockets = new CopyOnWriteArrayList<>();

  void add(NettyUdpSocket s) {
    sockets.add(s);
  }

  void remove(NettyUdpSocket s) {
    sockets.remove(s);
  }

  /** The socket whose I/O runs on {@code loop}, else any socket. */
  public PacketSocket socketFor(EventLoop loop) {
    for (NettyUdpSocket s : sockets) {
      if (s.eventLoop() == loop) return s;
    }
    return any();
  }

  /** Any listener socket (writes from other threads are queued onto its loop by Netty). */
  public PacketSocket any() {
    if (sockets.isEmpty()) throw new IllegalStateException("no listener socket is bound");
    return sockets.get(0);
  }

  /** The shared bound address. */
  public InetSocketAddress localAddress() {
    return any().localAddress();
  }
}
