package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Last inbound handler of a {@link NettyTcpLink}'s pipeline: creates the link once the channel is
 * connected, hands decoded frames to the transport, and turns EOF, idleness, oversize frames and
 * I/O errors into the link's close.
 */
final class TcpFrameHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(TcpFrameHandler.class.getName());
  private final TcpTransport transport;
  private final boolean inbound;
  private NettyTcpLink link; // loop only

  TcpFrameHandler(TcpTransport transport, boolean inbound) {
    this.transport = transport;
    this.inbound = inbound;
  }

  /**
   * The channel's link, created on first use: the connect listener runs before channelActive,
   * so whichever comes first creates it. On the channel's loop.
   */
  NettyTcpLink link(Channel ch) {
    if (link == null) link = transport.newLink((EpollSocketChannel) ch, inbound);
    return link;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    link(ctx.channel());
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    transport.deliver(link(ctx.channel()), (ByteBuf) msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      link(ctx.channel()).inputClosed();
    } else if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
      NettyTcpLink l = link(ctx.channel());
      if (!l.closing()) {
        transport.idleClosed();
        l.close("idle");
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!ctx.channel().isActive() && link == null) {
      ctx.close();
      return;
    }
    NettyTcpLink l = link(ctx.channel());
    if (cause instanceof TooLongFrameException) {
      if (!l.closing()) {
        transport.counters().drop(Drop.OVERSIZE);
        l.close("frame too large");
      }
    } else if (cause instanceof IOException) {
      l.ioError(cause);
    } else if (!l.closing()) {
      LOG.log(Level.WARNING, "TCP link " + l.endpoint() + " failed", cause);
      l.abort("error: " + cause);
    }
  }
}
