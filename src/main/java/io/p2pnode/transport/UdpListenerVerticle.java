package io.p2pnode.transport;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.ContextInternal;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * One UDP listener: a socket bound to the node's port with SO_REUSEPORT on this verticle's event
 * loop. The kernel spreads flows over the instances; each datagram goes to the shared
 * {@link PacketRouter}.
 */
public final class UdpListenerVerticle extends VerticleBase {
  private final InetSocketAddress bindAddress;
  private final boolean reusePort;
  private final int socketBufferBytes;
  private final int maxDatagramBytes;
  private final PacketHandler router;
  private final Counters counters;
  private final ListenerGroup group;
  private final LongAdder received = new LongAdder();
  private NettyUdpSocket socket;

  public UdpListenerVerticle(InetSocketAddress bindAddress, boolean reusePort, int socketBufferBytes,
                             int maxDatagramBytes, PacketHandler router, Counters counters, ListenerGroup group) {
    this.bindAddress = bindAddress;
    this.reusePort = reusePort;
    this.socketBufferBytes = socketBufferBytes;
    this.maxDatagramBytes = maxDatagramBytes;
    this.router = router;
    this.counters = counters;
    this.group = group;
  }

  @Override
  public Future<?> start() {
    PacketHandler counting = (s, data, sender) -> {
      received.increment();
      router.onPacket(s, data, sender);
    };
    return NettyUdpSocket.bind((ContextInternal) context, bindAddress, reusePort, socketBufferBytes, maxDatagramBytes,
      counting, counters).onSuccess(s -> {
        socket = s;
        group.add(s);
      });
  }

  @Override
  public Future<?> stop() {
    if (socket == null) return Future.succeededFuture();
    group.remove(socket);
    return socket.closeFuture();
  }

  /** Datagrams this instance received. */
  public long received() {
    return received.sum();
  }

  /** The bound address (after start). */
  public InetSocketAddress localAddress() {
    return socket.localAddress();
  }
}
