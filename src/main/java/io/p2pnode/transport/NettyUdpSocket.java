package io.p2pnode.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

import java.net.Inet6Address;
import java.net.PortUnreachableException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link PacketSocket} on a Netty datagram channel running on a Vert.x context's own event loop,
 * so reads, handler calls and writes from that context need no thread hop. Uses the transport
 * Vert.x chose (epoll when native transport is enabled) and sets SO_REUSEPORT on epoll.
 *
 * <p>Receive buffers are sized {@code maxDatagramBytes + 1} (per datagram with recvmmsg; 64 KB
 * with GRO on a connected socket): a larger datagram arrives truncated to that size and is counted as
 * {@link Drop#OVERSIZE} rather than silently cut. Batching on epoll: see {@link UdpOffload}.
 */
public final class NettyUdpSocket implements PacketSocket {
  private static final Logger LOG = Logger.getLogger(NettyUdpSocket.class.getName());

  private final Channel channel;
  private final Counters counters;
  private boolean flushScheduled;
  private final Runnable flush = () -> {
    flushScheduled = false;
    flush();
  };

  /** The peer this socket is connected to, or null; set once (at open or by {@link #connectTo}), on the loop. */
  private InetSocketAddress connectedTo;
  /** What an ICMP port unreachable runs once {@link #connectTo} connected the socket. */
  private Consumer<Throwable> unreachable;
  /** Datagrams to {@link #connectedTo} written in this loop turn, for GSO; touched on the loop only. */
  private final ArrayList<ByteBuf> pending = new ArrayList<>();
  /** GSO on this socket: a connected epoll socket where it is supported, until the kernel refuses a GSO write. */
  private boolean gso;
  private final ChannelFutureListener onGsoWrite = this::gsoWritten;

  private final int readLimit;

  private NettyUdpSocket(Channel channel, Counters counters, InetSocketAddress connectedTo, int readLimit) {
    this.channel = channel;
    this.readLimit = readLimit;
    this.counters = counters;
    this.connectedTo = connectedTo;
    this.gso = connectedTo != null && channel instanceof EpollDatagramChannel && UdpOffload.CURRENT.gso();
  }

  /**
   * Binds a datagram socket on {@code context}'s event loop.
   *
   * @param reusePort set SO_REUSEPORT (requires the native epoll transport)
   */
  public static Future<NettyUdpSocket> bind(ContextInternal context, InetSocketAddress local, boolean reusePort,
                                            int socketBufferBytes, int maxDatagramBytes, PacketHandler handler,
                                            Counters counters) {
    return open(context, local, null, reusePort, socketBufferBytes, maxDatagramBytes, handler, counters, null);
  }

  /**
   * Opens a socket bound to {@code local} with SO_REUSEPORT and connected to {@code remote}: the
   * kernel then delivers that peer's datagrams to it rather than to the listeners (exact 4-tuple
   * match), writes need no address, and ICMP errors for the peer reach {@code onUnreachable}.
   */
  public static Future<NettyUdpSocket> connect(ContextInternal context, InetSocketAddress local, InetSocketAddress remote,
                                               int socketBufferBytes, int maxDatagramBytes, PacketHandler handler,
                                               Counters counters, Consumer<Throwable> onUnreachable) {
    return open(context, local, remote, true, socketBufferBytes, maxDatagramBytes, handler, counters, onUnreachable);
  }

  private static Future<NettyUdpSocket> open(ContextInternal context, InetSocketAddress local, InetSocketAddress remote,
                                             boolean reusePort, int socketBufferBytes, int maxDatagramBytes,
                                             PacketHandler handler, Counters counters, Consumer<Throwable> onUnreachable) {
    Promise<NettyUdpSocket> promise = context.promise();
    NettyUdpSocket[] self = new NettyUdpSocket[1];
    boolean epoll = context.owner().isNativeTransportEnabled();
    UdpOffload offload = UdpOffload.CURRENT;
    // connected: GRO, a whole run from the peer per read (Netty cuts it up); else recvmmsg: several
    // datagram-sized slots per read, each one byte larger than the largest datagram so that a larger
    // one shows (OVERSIZE)
    boolean gro = epoll && remote != null && offload.gro();
    boolean recvmmsg = epoll && !gro && offload.recvmmsg();
    int readBytes = gro ? UdpOffload.GRO_BUFFER_BYTES : recvmmsg ? (maxDatagramBytes + 1) * UdpOffload.RECVMMSG_DATAGRAMS
      : maxDatagramBytes + 1;
    Bootstrap b = new Bootstrap()
      .group(context.nettyEventLoop())
      .channelFactory(() -> newChannel(epoll, local))
      .option(ChannelOption.SO_RCVBUF, socketBufferBytes)
      .option(ChannelOption.SO_SNDBUF, socketBufferBytes)
      .option(ChannelOption.RCVBUF_ALLOCATOR, new ReceiveBuffers(readBytes))
      .handler(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          DatagramPacket p = (DatagramPacket) msg;
          try {
            if (p.content().readableBytes() > maxDatagramBytes) {
              counters.drop(Drop.OVERSIZE);
            } else {
              handler.onPacket(self[0], p.content(), p.sender());
            }
          } catch (Throwable t) {
            counters.drop(Drop.HANDLER_ERROR);
            LOG.log(Level.WARNING, "packet handler failed; datagram dropped", t);
          } finally {
            p.release();
          }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
          Consumer<Throwable> icmp = onUnreachable != null ? onUnreachable : self[0] == null ? null : self[0].unreachable;
          if (icmp != null && cause instanceof PortUnreachableException) {
            icmp.accept(cause);
            return;
          }
          counters.drop(Drop.SEND_ERROR);
          LOG.log(Level.FINE, "socket error", cause);
        }
      });
    if (reusePort) b.option(EpollChannelOption.SO_REUSEPORT, true);
    if (gro) b.option(EpollChannelOption.UDP_GRO, true);
    else if (recvmmsg) b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagramBytes + 1);
    ChannelFuture opened = remote == null ? b.bind(local) : b.localAddress(local).connect(remote);
    opened.addListener(f -> {
      if (f.isSuccess()) {
        self[0] = new NettyUdpSocket(opened.channel(), counters, remote, maxDatagramBytes);
        promise.complete(self[0]);
      } else {
        promise.fail(new IllegalStateException("cannot " + (remote == null ? "bind UDP " + local
          : "connect UDP " + local + " to " + remote) + ": " + f.cause().getMessage(), f.cause()));
      }
    });
    return promise.future();
  }

  /** An IPv4 or IPv6 channel to match the bind address (a wildcard IPv4 bind stays IPv4-only). */
  private static DatagramChannel newChannel(boolean epoll, InetSocketAddress local) {
    SocketProtocolFamily family = local.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    return epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
  }

  /**
   * On the socket's own loop, datagrams are written now and flushed once at the end of the
   * current loop turn, so a burst leaves in one {@code sendmmsg} instead of one syscall each; on a
   * connected socket with GSO they are held until then, and runs of equal-sized ones leave as one
   * segmented datagram each ({@link #writePending}). From another thread, Netty queues the write
   * onto the loop.
   */
  @Override
  public void send(ByteBuf data, InetSocketAddress to) {
    if (to instanceof TcpEndpoint tcp) { // see PacketSocket#send: a TCP connection's address
      tcp.link().send(data);
      return;
    }
    counters.frameOut(data.readableBytes());
    boolean connected = connectedTo != null && connectedTo.equals(to);
    if (channel.eventLoop().inEventLoop()) {
      if (connected && gso) {
        pending.add(data);
      } else {
        writePending(); // keeps the order
        // a connected socket takes the bytes as they are: no address, no DatagramPacket per datagram
        channel.write(connected ? data : new DatagramPacket(data, to), channel.voidPromise());
      }
      if (!flushScheduled) {
        flushScheduled = true;
        channel.eventLoop().execute(flush);
      }
    } else {
      channel.writeAndFlush(connected ? data : new DatagramPacket(data, to), channel.voidPromise());
    }
  }

  /** On the socket's loop, what was written in this turn leaves now; elsewhere nothing waits (Netty flushes each write). */
  @Override
  public void flush() {
    if (!channel.eventLoop().inEventLoop()) return;
    writePending();
    channel.flush();
  }

  /** A GSO write the kernel refused (a NIC without checksum offload): this socket stops using GSO. */
  private void gsoWritten(io.netty.util.concurrent.Future<? super Void> f) {
    if (f.isSuccess()) return;
    counters.drop(Drop.SEND_ERROR);
    if (channel.isOpen()) { // not a write after close
      gso = false;
      LOG.log(Level.INFO, "UDP GSO write refused; this socket sends datagram by datagram from now on", f.cause());
    }
  }

  /**
   * Writes the held datagrams: each run of up to {@link UdpOffload#MAX_SEGMENTS} datagrams of one
   * size (the last may be shorter), at most {@link UdpOffload#MAX_SEGMENT_BYTES} each and
   * {@link UdpOffload#MAX_GSO_BYTES} in all, as one {@code SegmentedDatagramPacket} over the
   * datagrams' own buffers (no copy); a datagram on its own as it is.
   */
  private void writePending() {
    int n = pending.size();
    int i = 0;
    while (i < n) {
      ByteBuf first = pending.get(i);
      int segment = first.readableBytes();
      int j = i + 1;
      if (gso && segment > 0 && segment <= UdpOffload.MAX_SEGMENT_BYTES) {
        int total = segment;
        while (j < n && j - i < UdpOffload.MAX_SEGMENTS) {
          int len = pending.get(j).readableBytes();
          if (len == 0 || len > segment || total + len > UdpOffload.MAX_GSO_BYTES) break;
          total += len;
          j++;
          if (len < segment) break; // only the last segment may be shorter
        }
      }
      if (j - i == 1) {
        channel.write(first, channel.voidPromise());
      } else {
        CompositeByteBuf run = channel.alloc().compositeDirectBuffer(j - i);
        for (int k = i; k < j; k++) run.addComponent(true, pending.get(k));
        channel.write(new SegmentedDatagramPacket(run, segment, connectedTo)).addListener(onGsoWrite);
      }
      i = j;
    }
    pending.clear();
  }

  /** IPPROTO_IP / IP_TTL and IPPROTO_IPV6 / IPV6_UNICAST_HOPS (Linux); -1 puts back the system default. */
  private static final io.netty.channel.unix.IntegerUnixChannelOption IP_TTL =
    new io.netty.channel.unix.IntegerUnixChannelOption("IP_TTL", 0, 2);
  private static final io.netty.channel.unix.IntegerUnixChannelOption IPV6_UNICAST_HOPS =
    new io.netty.channel.unix.IntegerUnixChannelOption("IPV6_UNICAST_HOPS", 41, 16);

  /** Sets IP_TTL (IPV6_UNICAST_HOPS on an IPv6 socket) with setsockopt; epoll only. */
  @Override
  public boolean ttl(int hops) {
    if (!(channel instanceof EpollDatagramChannel)) return false;
    int value = hops <= 0 ? -1 : hops;
    boolean v6 = localAddress().getAddress() instanceof Inet6Address;
    try {
      return channel.config().setOption(v6 ? IPV6_UNICAST_HOPS : IP_TTL, value);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "cannot set the TTL", e);
      return false;
    }
  }

  /** The socket's IP TTL as the kernel reports it (tests); -1 when it cannot be read. */
  public int ttl() {
    if (!(channel instanceof EpollDatagramChannel)) return -1;
    Integer v = channel.config().getOption(localAddress().getAddress() instanceof Inet6Address ? IPV6_UNICAST_HOPS : IP_TTL);
    return v == null ? -1 : v;
  }

  @Override
  public Future<Void> connectTo(InetSocketAddress remote, Runnable onUnreachable) {
    Promise<Void> p = Promise.promise();
    channel.eventLoop().execute(() -> {
      if (connectedTo != null) {
        if (connectedTo.equals(remote)) p.complete();
        else p.fail(new IllegalStateException("connected to " + connectedTo + " already"));
        return;
      }
      writePending();
      channel.connect(remote).addListener(f -> {
        if (!f.isSuccess()) {
          p.fail(f.cause());
          return;
        }
        connectedTo = remote;
        unreachable = t -> onUnreachable.run();
        gso = channel instanceof EpollDatagramChannel && UdpOffload.CURRENT.gso();
        p.complete();
      });
    });
    return p.future();
  }

  @Override
  public int readLimit() {
    return readLimit;
  }

  @Override
  public int receiveBufferBytes() {
    if (receiveBuffer < 0) {
      Integer v = channel.config().getOption(ChannelOption.SO_RCVBUF); // the kernel's value: twice what was asked, within rmem_max
      receiveBuffer = v == null ? 0 : v;
    }
    return receiveBuffer;
  }

  private int receiveBuffer = -1;

  /** Interface MTU by local address: looking it up walks every interface, so once per address. */
  private static final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, Integer> FIRST_HOP = new java.util.concurrent.ConcurrentHashMap<>();

  /** For a connected socket: the MTU of the interface holding its local address, less IP and UDP headers (at most 65 507). */
  @Override
  public int firstHopMaxDatagram() {
    if (connectedTo == null) return 0;
    InetSocketAddress local = localAddress();
    if (local == null || local.getAddress().isAnyLocalAddress()) return 0;
    return FIRST_HOP.computeIfAbsent(local.getAddress(), NettyUdpSocket::interfaceMaxDatagram);
  }

  private static int interfaceMaxDatagram(java.net.InetAddress a) {
    try {
      java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(a);
      if (nif == null) return 0;
      int headers = a instanceof Inet6Address ? 48 : 28;
      return Math.max(0, Math.min(65_507, nif.getMTU() - headers));
    } catch (java.net.SocketException e) {
      return 0;
    }
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The event loop this socket's I/O runs on. */
  public io.netty.channel.EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** Closes the socket after flushing what was written (a last BYE must leave). */
  @Override
  public void close() {
    closeFuture();
  }

  /** Closes the socket after flushing what was written; completes once the port is released. */
  public Future<Void> closeFuture() {
    Promise<Void> p = Promise.promise();
    if (channel.eventLoop().inEventLoop()) writePending(); // from elsewhere, the flush already queued writes them first
    channel.flush();
    channel.close().addListener(f -> {
      if (f.isSuccess()) p.complete();
      else p.fail(f.cause());
    });
    return p.future();
  }
}
