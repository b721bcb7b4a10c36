package io.p2pnode.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The raw baseline: Netty epoll UDP with no protocol at all. Server side echoes datagrams that
 * start with 'P' (ping-pong), counts those that start with 'B' (blast) and answers 'C' with the
 * count so far.
 */
final class RawUdp implements AutoCloseable {
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  final Channel channel;
  final AtomicLong blasted = new AtomicLong();

  private RawUdp(BiConsumer<ChannelHandlerContext, DatagramPacket> handler, int port) throws InterruptedException {
    channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
      .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
      .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
          handler.accept(ctx, p);
        }
      }).bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  /** The peer's server. */
  static RawUdp server() throws InterruptedException {
    RawUdp[] self = new RawUdp[1];
    self[0] = new RawUdp((ctx, p) -> {
      ByteBuf c = p.content();
      byte kind = c.getByte(c.readerIndex());
      if (kind == 'P') {
        ctx.writeAndFlush(new DatagramPacket(c.retain(), p.sender()));
      } else if (kind == 'B') {
        self[0].blasted.incrementAndGet();
      } else if (kind == 'C') {
        ByteBuf out = ctx.alloc().buffer(8).writeLong(self[0].blasted.get());
        ctx.writeAndFlush(new DatagramPacket(out, p.sender()));
      }
    }, 0);
    return self[0];
  }

  /** A client whose inbound datagrams go to {@code handler}. */
  static RawUdp client(BiConsumer<ChannelHandlerContext, DatagramPacket> handler) throws InterruptedException {
    return new RawUdp(handler, 0);
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 100, java.util.concurrent.TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
