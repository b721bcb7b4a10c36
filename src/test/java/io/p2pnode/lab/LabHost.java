package io.p2pnode.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.transport.PacketHandler;
import io.p2pnode.transport.PacketSocket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** A simulated host: an IP in a realm, with UDP sockets that implement {@link PacketSocket}. */
public final class LabHost {
  final LabNetwork net;
  final LabNetwork.Realm realm;
  final InetAddress ip;
  private final Map<Integer, Socket> sockets = new HashMap<>();

  LabHost(LabNetwork net, LabNetwork.Realm realm, InetAddress ip) {
    this.net = net;
    this.realm = realm;
    this.ip = ip;
  }

  /** Binds a socket on {@code port}. */
  public PacketSocket bind(int port, PacketHandler handler) {
    Socket s = new Socket(new InetSocketAddress(ip, port), handler);
    sockets.put(port, s);
    return s;
  }

  /** Binds a socket on a free ephemeral port (from 50 000 up), as binding to port 0 does. */
  public PacketSocket bindEphemeral(PacketHandler handler) {
    int port = 50_000;
    while (sockets.containsKey(port) && !sockets.get(port).closed) port++;
    return bind(port, handler);
  }

  void receive(InetSocketAddress src, int port, ByteBuf data) {
    Socket s = sockets.get(port);
    if (s == null || s.closed) return;
    s.handler.onPacket(s, data, src);
  }

  /** A socket of this host. */
  final class Socket implements PacketSocket {
    final InetSocketAddress local;
    final PacketHandler handler;
    boolean closed;
    int ttl = LabNetwork.DEFAULT_TTL;

    Socket(InetSocketAddress local, PacketHandler handler) {
      this.local = local;
      this.handler = handler;
    }

    @Override
    public void send(ByteBuf data, InetSocketAddress to) {
      byte[] b = LabNetwork.bytes(data);
      data.release();
      if (!closed) net.send(realm, local, to, b, ttl);
    }

    @Override
    public boolean ttl(int hops) {
      ttl = hops <= 0 ? LabNetwork.DEFAULT_TTL : hops;
      return true;
    }

    @Override
    public ByteBufAllocator alloc() {
      return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public InetSocketAddress localAddress() {
      return local;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
