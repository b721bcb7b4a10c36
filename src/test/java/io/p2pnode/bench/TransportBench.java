package io.p2pnode.bench;

import io.netty.buffer.ByteBuf;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.NettyUdpSocket;
import io.p2pnode.transport.UdpOffload;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport alone: a connected {@link NettyUdpSocket} blasts bursts of equal datagrams
 * (one burst per loop turn) at another connected one (as between two sessions) on another event
 * loop, on loopback; prints the
 * datagrams per second the receiver got and the UDP batching in use. Run it twice to see what
 * GSO/GRO bring, the second time with {@code -Dp2p.udpOffload=false}:
 *
 * <pre>java -cp target/p2p-node.jar:target/test-classes io.p2pnode.bench.TransportBench [SIZE=1200] [BURST=64] [SECONDS=3]</pre>
 */
public final class TransportBench {
  private TransportBench() {
  }

  public static void main(String[] args) throws Exception {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1200;
    int burst = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
    // two instances: the receiver's loop is never the sender's
    Vertx rxVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    Vertx txVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    AtomicLong received = new AtomicLong();
    Counters counters = new Counters();
    ContextInternal rx = (ContextInternal) rxVertx.getOrCreateContext();
    ContextInternal tx = (ContextInternal) txVertx.getOrCreateContext();
    InetSocketAddress from = new InetSocketAddress("127.0.0.1", io.p2pnode.TestNodes.freeUdpPort());
    InetSocketAddress to = new InetSocketAddress("127.0.0.1", io.p2pnode.TestNodes.freeUdpPort());
    NettyUdpSocket receiver = LabPeer.await(NettyUdpSocket.connect(rx, to, from, 8 << 20, size,
      (s, data, x) -> received.incrementAndGet(), counters, e -> { }));
    NettyUdpSocket sender = LabPeer.await(NettyUdpSocket.connect(tx, from, to, 8 << 20, size, (s, data, x) -> { }, counters, e -> { }));
    long[] sent = {0};
    long until = System.nanoTime() + (long) ((seconds + 1) * 1e9);
    Runnable[] blast = new Runnable[1];
    blast[0] = () -> {
      for (int i = 0; i < burst; i++) {
        ByteBuf b = sender.alloc().directBuffer(size);
        sender.send(b.writerIndex(size), receiver.localAddress());
      }
      sent[0] += burst;
      if (System.nanoTime() < until) tx.runOnContext(v -> blast[0].run());
    };
    tx.runOnContext(v -> blast[0].run());
    TimeUnit.SECONDS.sleep(1); // warm-up
    long r0 = received.get();
    long t0 = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep((long) (seconds * 1000));
    double rate = (received.get() - r0) * 1e9 / (System.nanoTime() - t0);
    System.out.printf(Locale.ROOT, "transport %s: %d B datagrams, bursts of %d: %.0f received/s (%.1f MB/s), %d sent in all%n",
      UdpOffload.CURRENT.toJson().encode(), size, burst, rate, rate * size / 1e6, sent[0]);
    System.exit(0);
  }
}
