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
import io.p2pnode.transport.BusyPollStrategy;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The raw baseline: Netty epoll UDP with no protocol at all. The server echoes datagrams that
 * start with 'P' (ping-pong), counts those that start with 'B' (blast), answers 'C' with the
 * count so far, 'A' with the heap bytes its process allocated so far ({@link Alloc}) and ignores
 * 'H' (hole punches). The client measures against it with
 * {@link #pingPong} and {@link #blast}, which tolerate loss (the impaired NAT lab).
 */
final class RawUdp implements AutoCloseable {
  private static final byte PING = 'P';
  private static final byte BLAST = 'B';
  private static final byte COUNT = 'C';
  private static final byte PUNCH = 'H';
  private static final byte ALLOC = 'A';

  final EventLoopGroup group;
  final Channel channel;
  final AtomicLong blasted = new AtomicLong();
  /** The handler of datagrams a client receives (pongs, counts); set by the measurement running. */
  private volatile java.util.function.Consumer<ByteBuf> onReply = b -> { };

  /** @param busyPollMicros &gt; 0: the loop busy-polls that long after its last work, as a node's do by default */
  private RawUdp(boolean server, InetSocketAddress bind, long busyPollMicros) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, busyPollMicros <= 0 ? EpollIoHandler.newFactory()
      : BusyPollStrategy.epollHandlers(busyPollMicros));
    channel = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
      .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
      .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
          if (server) serve(ctx, p);
          else if (p.content().getByte(p.content().readerIndex()) != PUNCH) onReply.accept(p.content());
        }
      }).bind(bind).sync().channel();
  }

  private void serve(ChannelHandlerContext ctx, DatagramPacket p) {
    ByteBuf c = p.content();
    byte kind = c.getByte(c.readerIndex());
    if (kind == PING) {
      ctx.writeAndFlush(new DatagramPacket(c.retain(), p.sender()));
    } else if (kind == BLAST) {
      blasted.incrementAndGet();
    } else if (kind == COUNT || kind == ALLOC) {
      ByteBuf out = ctx.alloc().buffer(9).writeByte(kind).writeLong(kind == COUNT ? blasted.get() : Alloc.allocatedBytes());
      ctx.writeAndFlush(new DatagramPacket(out, p.sender()));
    }
  }

  /** The peer's server on an ephemeral loopback port. */
  static RawUdp server() throws InterruptedException {
    return server(new InetSocketAddress("127.0.0.1", 0));
  }

  static RawUdp server(InetSocketAddress bind) throws InterruptedException {
    return new RawUdp(true, bind, 0);
  }

  /** A server on an ephemeral loopback port whose loop busy-polls {@code micros} (the node's default: 50). */
  static RawUdp busyPollingServer(long micros) throws InterruptedException {
    return new RawUdp(true, new InetSocketAddress("127.0.0.1", 0), micros);
  }

  /** A measuring client on an ephemeral loopback port whose loop busy-polls {@code micros}. */
  static RawUdp busyPollingClient(long micros) throws InterruptedException {
    return new RawUdp(false, new InetSocketAddress("127.0.0.1", 0), micros);
  }

  /** A measuring client on an ephemeral loopback port. */
  static RawUdp client() throws InterruptedException {
    return client(new InetSocketAddress("127.0.0.1", 0));
  }

  static RawUdp client(InetSocketAddress bind) throws InterruptedException {
    return new RawUdp(false, bind, 0);
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /**
   * Sends a hole punch to {@code target} every 100 ms for {@code seconds}, so that a NAT in
   * front of this socket lets the target's datagrams in (both sides punch, as p2p-node does).
   */
  void punch(InetSocketAddress target, int seconds) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    task[0] = channel.eventLoop().scheduleAtFixedRate(() -> {
      if (System.nanoTime() > until) task[0].cancel(false);
      else channel.writeAndFlush(new DatagramPacket(channel.alloc().buffer(1).writeByte(PUNCH), target));
    }, 0, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Result of {@link #pingPong}: percentiles in microseconds, the pings that got no answer in time,
   * and the answered round trips themselves (nanoseconds, sorted), so that stretches measured apart
   * can be pooled ({@link #pooled}).
   */
  record Rtt(double p50Micros, double p99Micros, int lost, long[] sortedNanos) {
    /** Percentiles of the answered round trips (nanoseconds). */
    static Rtt of(long[] nanos, int lost) {
      long[] s = nanos.clone();
      Arrays.sort(s);
      return s.length == 0 ? new Rtt(Double.NaN, Double.NaN, lost, s)
        : new Rtt(s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3, lost, s);
    }

    /** The percentiles of every round trip of {@code parts} together. */
    static Rtt pooled(java.util.List<Rtt> parts) {
      long[] all = parts.stream().flatMapToLong(r -> Arrays.stream(r.sortedNanos())).toArray();
      return of(all, parts.stream().mapToInt(Rtt::lost).sum());
    }
  }

  /**
   * {@code samples} ping-pongs of {@code size} bytes after {@code warmup} unmeasured ones, one at
   * a time; a ping unanswered within {@code timeoutMs} counts as lost and the next one goes.
   */
  Rtt pingPong(InetSocketAddress server, int size, int warmup, int samples, long timeoutMs) throws Exception {
    long[] lat = new long[samples];
    int[] n = {0, 0, 0}; // pings finished, measured answers, measured losses
    long[] sent = {0, 0, -1}; // time, last sequence number, the one awaited
    ScheduledFuture<?>[] timeout = new ScheduledFuture<?>[1];
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (n[0] >= warmup + samples) {
        done.complete(null);
        return;
      }
      long seq = ++sent[1];
      sent[2] = seq;
      sent[0] = System.nanoTime();
      ByteBuf b = channel.alloc().buffer(size).writeByte(PING).writeLong(seq);
      channel.writeAndFlush(new DatagramPacket(b.writeZero(size - b.writerIndex()), server));
      timeout[0] = channel.eventLoop().schedule(() -> {
        if (sent[2] != seq) return;
        sent[2] = -1;
        if (n[0]++ >= warmup) n[2]++;
        next[0].run();
      }, timeoutMs, TimeUnit.MILLISECONDS);
    };
    onReply = b -> {
      if (b.getByte(b.readerIndex()) != PING || b.getLong(b.readerIndex() + 1) != sent[2]) return; // late or duplicate
      timeout[0].cancel(false);
      sent[2] = -1;
      if (n[0]++ >= warmup) lat[n[1]++] = System.nanoTime() - sent[0];
      next[0].run();
    };
    channel.eventLoop().execute(next[0]);
    done.get(timeoutMs * (warmup + samples) / 1000 + 120, TimeUnit.SECONDS);
    return Rtt.of(Arrays.copyOf(lat, n[1]), n[2]);
  }

  /**
   * Sends as fast as the socket takes them for {@code nanos}; returns the datagrams per second
   * the server counted (those lost on the way are not).
   */
  double blast(InetSocketAddress server, int size, long nanos) throws Exception {
    long before = count(server);
    CompletableFuture<Long> finished = new CompletableFuture<>();
    long start = System.nanoTime();
    Runnable[] burst = new Runnable[1];
    burst[0] = () -> {
      for (int i = 0; i < 256 && channel.isWritable(); i++) {
        ByteBuf b = channel.alloc().directBuffer(size);
        b.writeByte(BLAST).writeZero(size - 1);
        channel.write(new DatagramPacket(b, server), channel.voidPromise());
      }
      channel.flush();
      if (System.nanoTime() - start < nanos) channel.eventLoop().execute(burst[0]);
      else finished.complete(System.nanoTime() - start);
    };
    channel.eventLoop().execute(burst[0]);
    long elapsed = finished.get(120, TimeUnit.SECONDS);
    TimeUnit.MILLISECONDS.sleep(500); // let the receiver drain its socket (and any delaying router) before asking
    return (count(server) - before) * 1e9 / elapsed;
  }

  /** The server's blast count. */
  private long count(InetSocketAddress server) throws Exception {
    return ask(server, COUNT);
  }

  /** Heap bytes the server's process allocated so far. */
  long allocated(InetSocketAddress server) throws Exception {
    return ask(server, ALLOC);
  }

  /** Asks the server for a count of {@code kind}; asks again every 200 ms until an answer comes (the question may be lost). */
  private long ask(InetSocketAddress server, byte kind) throws Exception {
    CompletableFuture<Long> reply = new CompletableFuture<>();
    onReply = b -> {
      if (b.getByte(b.readerIndex()) == kind) reply.complete(b.getLong(b.readerIndex() + 1));
    };
    for (int attempt = 0; attempt < 50; attempt++) {
      channel.writeAndFlush(new DatagramPacket(channel.alloc().buffer(1).writeByte(kind), server));
      try {
        return reply.get(200, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // lost on the way: ask again
      }
    }
    throw new IllegalStateException("raw server " + server + " does not answer");
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
