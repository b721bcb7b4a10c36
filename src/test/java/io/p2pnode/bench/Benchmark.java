package io.p2pnode.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.p2pnode.P2pNode;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * p2p-node against raw Netty epoll UDP, two processes on loopback, measured in the same run:
 * request/reply RTT (p50/p99) and one-way throughput of 64 B and 1 KB messages through
 * {@code p2p.send} (each send confirmed by the remote node). Run with {@code bench/run.sh}.
 */
public final class Benchmark {
  static final int RTT_WARMUP = 5_000;
  static final int RTT_SAMPLES = 20_000;
  static final long THROUGHPUT_NANOS = TimeUnit.SECONDS.toNanos(3);
  static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final int WINDOW = 2_048;

  private Benchmark() {
  }

  public static void main(String[] args) throws Exception {
    Process peer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), BenchPeer.class.getName())
      .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream()));
      Matcher m = Pattern.compile("BENCH-PEER node=(\\d+) raw=(\\d+)").matcher("");
      String line;
      while ((line = r.readLine()) != null && !m.reset(line).find()) {
        // skip the peer's log lines
      }
      if (line == null) throw new IllegalStateException("bench peer did not start");
      int nodePort = Integer.parseInt(m.group(1));
      InetSocketAddress raw = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)));
      run(nodePort, raw);
    } finally {
      peer.getOutputStream().close();
      if (!peer.waitFor(15, TimeUnit.SECONDS)) peer.destroyForcibly();
    }
    System.exit(0);
  }

  private static void run(int nodePort, InetSocketAddress raw) throws Exception {
    System.out.printf("p2p-node benchmark: two processes on loopback, %d cores, %s%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    double[] rawRtt = rawPingPong(raw, 64);
    long raw64 = rawBlast(raw, 64);
    long raw1k = rawBlast(raw, 1024);

    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("peerId", "bench-a")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + nodePort))
      .put("bridge", new JsonObject().put("port", 0)));
    P2pNode node = await(P2pNode.start(o));
    try {
      Vertx vertx = node.vertx();
      await(retryConnect(vertx));
      double[] p2pRtt = p2pRequestRtt(vertx, 64);
      double[] p2pRtt1k = p2pRequestRtt(vertx, 1000);
      double[] p2pRtt64k = p2pRequestRtt(vertx, 64 * 1024);
      double p2p64 = p2pSendThroughput(vertx, 64, WINDOW);
      double p2p1k = p2pSendThroughput(vertx, 1000, WINDOW);
      double p2p64k = p2pSendThroughput(vertx, 64 * 1024, 128);
      double un64 = unreliableThroughput(vertx, 64);
      double un1k = unreliableThroughput(vertx, 1000);
      JsonObject t = await(P2pClient.create(vertx).peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
      System.out.println("session transport after the run: " + t.encode());

      System.out.println();
      System.out.printf("%-44s %12s %12s %8s%n", "measure", "raw UDP", "p2p-node", "ratio");
      row("request/reply RTT p50 (us), 64 B", rawRtt[0], p2pRtt[0]);
      row("request/reply RTT p99 (us), 64 B", rawRtt[1], p2pRtt[1]);
      row("one-way throughput (msg/s), 64 B", raw64, p2p64);
      row("one-way throughput (msg/s), 1 KB", raw1k, p2p1k);
      row("unreliable one-way (delivered msg/s), 64 B", raw64, un64);
      row("unreliable one-way (delivered msg/s), 1 KB", raw1k, un1k);
      System.out.println();
      System.out.printf("%-44s %12s %12s %12s%n", "p2p-node reliable, by size", "64 B", "1 KB", "64 KB");
      System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f %12.1f%n", "request/reply RTT p50 (us)", p2pRtt[0], p2pRtt1k[0], p2pRtt64k[0]);
      System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f %12.1f%n", "request/reply RTT p99 (us)", p2pRtt[1], p2pRtt1k[1], p2pRtt64k[1]);
      System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f %12.1f%n", "one-way throughput (msg/s)", p2p64, p2p1k, p2p64k);
      System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f %12.1f%n", "one-way throughput (MB/s)", p2p64 * 64 / 1e6, p2p1k * 1000 / 1e6,
        p2p64k * 65536 / 1e6);
      System.out.printf("%nraw = Netty epoll UDP ping-pong / blast (delivered, counted by the receiver);%n"
        + "p2p = p2p.request round trips / p2p.send with %d in flight, each confirmed by the remote node.%n", WINDOW);
    } finally {
      await(node.stop());
    }
  }

  private static void row(String name, double raw, double p2p) {
    System.out.printf(Locale.ROOT, "%-44s %12.1f %12.1f %8.2f%n", name, raw, p2p, p2p / raw);
  }

  // ------------------------------------------------------------------ raw baseline

  private static double[] rawPingPong(InetSocketAddress server, int size) throws Exception {
    long[] lat = new long[RTT_SAMPLES];
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] n = {0};
    long[] sentAt = {0};
    RawUdp[] c = new RawUdp[1];
    c[0] = RawUdp.client((ctx, p) -> {
      long now = System.nanoTime();
      int i = n[0]++;
      if (i >= RTT_WARMUP) lat[i - RTT_WARMUP] = now - sentAt[0];
      if (n[0] >= RTT_WARMUP + RTT_SAMPLES) {
        done.complete(null);
        return;
      }
      sentAt[0] = System.nanoTime();
      ctx.writeAndFlush(new DatagramPacket(ping(size), server));
    });
    try {
      c[0].channel.eventLoop().execute(() -> {
        sentAt[0] = System.nanoTime();
        c[0].channel.writeAndFlush(new DatagramPacket(ping(size), server));
      });
      done.get(60, TimeUnit.SECONDS);
    } finally {
      c[0].close();
    }
    return percentiles(lat);
  }

  private static ByteBuf ping(int size) {
    ByteBuf b = Unpooled.buffer(size);
    b.writeByte('P').writeZero(size - 1);
    return b;
  }

  /** Sends as fast as the socket takes them for the measuring period; returns datagrams/s the server counted. */
  private static long rawBlast(InetSocketAddress server, int size) throws Exception {
    CompletableFuture<Long> count = new CompletableFuture<>();
    try (RawUdp c = RawUdp.client((ctx, p) -> count.complete(p.content().getLong(0)))) {
      long before = queryCount(c, server);
      CompletableFuture<Long> finished = new CompletableFuture<>();
      long start = System.nanoTime();
      Runnable[] burst = new Runnable[1];
      burst[0] = () -> {
        for (int i = 0; i < 256 && c.channel.isWritable(); i++) {
          ByteBuf b = c.channel.alloc().directBuffer(size);
          b.writeByte('B').writeZero(size - 1);
          c.channel.write(new DatagramPacket(b, server), c.channel.voidPromise());
        }
        c.channel.flush();
        if (System.nanoTime() - start < THROUGHPUT_NANOS) c.channel.eventLoop().execute(burst[0]);
        else finished.complete(System.nanoTime() - start);
      };
      c.channel.eventLoop().execute(burst[0]);
      long elapsed = finished.get(60, TimeUnit.SECONDS);
      TimeUnit.MILLISECONDS.sleep(300); // let the receiver drain its socket before asking
      long after = queryCount(c, server);
      return (after - before) * 1_000_000_000L / elapsed;
    }
  }

  private static long queryCount(RawUdp c, InetSocketAddress server) throws Exception {
    CompletableFuture<Long> reply = new CompletableFuture<>();
    c.channel.pipeline().addFirst("count", new io.netty.channel.SimpleChannelInboundHandler<DatagramPacket>() {
      @Override
      protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, DatagramPacket p) {
        reply.complete(p.content().getLong(p.content().readerIndex()));
      }
    });
    c.channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {'C'}), server));
    long v = reply.get(10, TimeUnit.SECONDS);
    c.channel.pipeline().remove("count");
    return v;
  }

  // ------------------------------------------------------------------ p2p-node

  private static Future<JsonObject> retryConnect(Vertx vertx) {
    return P2pClient.create(vertx).connect("bench-b").recover(err -> {
      Promise<Void> p = Promise.promise();
      vertx.setTimer(50, t -> p.complete());
      return p.future().compose(v -> retryConnect(vertx));
    });
  }

  private static double[] p2pRequestRtt(Vertx vertx, int size) throws Exception {
    int samples = size > 10_000 ? RTT_SAMPLES / 10 : RTT_SAMPLES;
    long[] lat = new long[samples];
    Buffer body = Buffer.buffer(new byte[size - 1]);
    DeliveryOptions opts = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bench-b").addHeader(Addresses.HEADER_ADDRESS, "bench.echo");
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] n = {0};
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      long t0 = System.nanoTime();
      vertx.eventBus().request(Addresses.REQUEST, body, opts).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        int i = n[0]++;
        if (i >= RTT_WARMUP / 5) lat[i - RTT_WARMUP / 5] = System.nanoTime() - t0;
        if (n[0] >= RTT_WARMUP / 5 + samples) done.complete(null);
        else next[0].run();
      });
    };
    vertx.runOnContext(v -> next[0].run());
    done.get(120, TimeUnit.SECONDS);
    return percentiles(lat);
  }

  /** Confirmed sends per second with {@link #WINDOW} in flight, after a warm-up. */
  private static double p2pSendThroughput(Vertx vertx, int size, int window) throws Exception {
    Buffer body = Buffer.buffer(new byte[size - 1]);
    DeliveryOptions opts = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bench-b").addHeader(Addresses.HEADER_ADDRESS, "bench.sink");
    AtomicLong confirmed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CompletableFuture<Double> result = new CompletableFuture<>();
    long start = System.nanoTime();
    long[] measureStart = {0, 0};
    Runnable[] send = new Runnable[1];
    send[0] = () -> vertx.eventBus().request(Addresses.SEND, body, opts).onComplete(ar -> {
      if (ar.succeeded()) confirmed.incrementAndGet();
      else failed.incrementAndGet();
      long now = System.nanoTime();
      if (measureStart[0] == 0 && now - start >= WARMUP_NANOS) {
        measureStart[0] = now;
        measureStart[1] = confirmed.get();
      }
      if (measureStart[0] != 0 && now - measureStart[0] >= THROUGHPUT_NANOS) {
        result.complete((confirmed.get() - measureStart[1]) * 1e9 / (now - measureStart[0]));
      } else if (!result.isDone()) {
        send[0].run();
      }
    });
    vertx.runOnContext(v -> {
      for (int i = 0; i < window; i++) send[0].run();
    });
    double rate = result.get(120, TimeUnit.SECONDS);
    if (failed.get() > 0) System.out.printf("  (%d sends of %d B failed during the run)%n", failed.get(), size);
    return rate;
  }

  /** Unreliable sends as fast as they are accepted; the rate is what the far side's sink counted. */
  private static double unreliableThroughput(Vertx vertx, int size) throws Exception {
    Buffer body = Buffer.buffer(new byte[size - 1]);
    DeliveryOptions opts = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bench-b")
      .addHeader(Addresses.HEADER_ADDRESS, "bench.sink").addHeader(Addresses.HEADER_RELIABLE, "false");
    long before = count(vertx);
    CompletableFuture<Long> done = new CompletableFuture<>();
    long start = System.nanoTime();
    Runnable[] send = new Runnable[1];
    send[0] = () -> vertx.eventBus().request(Addresses.SEND, body, opts).onComplete(ar -> {
      if (System.nanoTime() - start >= THROUGHPUT_NANOS) done.complete(System.nanoTime() - start);
      else if (!done.isDone()) send[0].run();
    });
    vertx.runOnContext(v -> {
      for (int i = 0; i < WINDOW; i++) send[0].run();
    });
    long elapsed = done.get(120, TimeUnit.SECONDS);
    TimeUnit.MILLISECONDS.sleep(300); // let the far side drain before counting
    return (count(vertx) - before) * 1e9 / elapsed;
  }

  private static long count(Vertx vertx) throws Exception {
    return Long.parseLong((String) await(vertx.eventBus().request(Addresses.REQUEST, "?",
      new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bench-b").addHeader(Addresses.HEADER_ADDRESS, "bench.count"))).body());
  }

  // ------------------------------------------------------------------ helpers

  private static double[] percentiles(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return new double[] {s[s.length / 2] / 1e3, s[(int) (s.length * 0.99)] / 1e3};
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
