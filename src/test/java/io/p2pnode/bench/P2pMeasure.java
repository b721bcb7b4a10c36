package io.p2pnode.bench;

import io.p2pnode.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The measurements every benchmark makes of p2p-node, against a {@link BenchPeer} named
 * {@code peer}: request/reply RTT, confirmed send throughput, unreliable delivered rate and
 * unreliable ping-pong RTT. Each runs the sender on the node's event loop.
 */
final class P2pMeasure {
  private final Vertx vertx;
  private final String peer;

  P2pMeasure(Vertx vertx, String peer) {
    this.vertx = vertx;
    this.peer = peer;
  }

  /** How long a figure's last window may take to be confirmed, and a send's timeout. */
  static final long SETTLE_SECONDS = 120;

  DeliveryOptions to(String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, peer).addHeader(Addresses.HEADER_ADDRESS, address);
  }

  /**
   * Whether the measured {@code Buffer} bodies are handed over ({@link Addresses#CODEC_HAND_OVER}), as
   * an application that does not touch a buffer after sending it would: the event bus then does
   * not copy them on the way to the node. {@code -Dbench.handOver=false}: Vert.x's copying codec.
   */
  static final boolean HAND_OVER = !"false".equals(System.getProperty("bench.handOver"));

  private static DeliveryOptions handOver(DeliveryOptions o) {
    return HAND_OVER ? o.setCodecName(Addresses.CODEC_HAND_OVER) : o;
  }

  /** {@code samples} {@code p2p.request} round trips of {@code size} bytes to {@code bench.echo}, one at a time. */
  RawUdp.Rtt requestRtt(int size, int warmup, int samples) throws Exception {
    return load().rtt(size, warmup, samples);
  }

  /**
   * The far side's measuring consumers as {@link BusLoad} targets: messages to the sink go
   * through {@code p2p.send}, the echo, count and allocation probe are {@code p2p.request}s.
   */
  BusLoad load() {
    return new BusLoad(vertx, new BusLoad.Target(Addresses.SEND, handOver(to(BenchPeer.SINK))),
      new BusLoad.Target(Addresses.REQUEST, handOver(to(BenchPeer.ECHO))), new BusLoad.Target(Addresses.REQUEST, to(BenchPeer.COUNT)),
      new BusLoad.Target(Addresses.REQUEST, to(BenchPeer.ALLOC)));
  }

  /**
   * {@code p2p.send} to {@code bench.sink} with {@code window} in flight; after {@code warmupNanos}
   * counts for {@code nanos}. Reliable: sends the far node confirmed per second. Unreliable:
   * messages the far side's sink counted per second (confirmations there only mean "queued").
   */
  double sendRate(int size, int window, boolean reliable, long warmupNanos, long nanos) throws Exception {
    Buffer body = Buffer.buffer(new byte[size]);
    // a slow path (NewReno at 1% loss: about 0.5 MB/s) takes longer than the node's and the event
    // bus's default 30 s to confirm a window of 16 MiB: the figure is a rate, not a count of timeouts
    DeliveryOptions opts = handOver(to(BenchPeer.SINK)).addHeader(Addresses.HEADER_RELIABLE, String.valueOf(reliable))
      .addHeader(Addresses.HEADER_TIMEOUT_MS, String.valueOf(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS)))
      .setSendTimeout(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));
    AtomicLong confirmed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    CompletableFuture<long[]> result = new CompletableFuture<>();
    CompletableFuture<Void> settled = new CompletableFuture<>();
    long sunkBefore = reliable ? 0 : sunk();
    long start = System.nanoTime();
    long[] measured = {0, 0, 0}; // start time, confirmed then, sunk then
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      outstanding.incrementAndGet();
      vertx.eventBus().request(Addresses.SEND, body, opts).onComplete(ar -> {
        if (ar.succeeded()) confirmed.incrementAndGet();
        else if (failed.incrementAndGet() == 1) firstFailure.set(String.valueOf(ar.cause()));
        long now = System.nanoTime();
        if (measured[0] == 0 && now - start >= warmupNanos) {
          measured[0] = now;
          measured[1] = confirmed.get();
        }
        if (measured[0] != 0 && now - measured[0] >= nanos) {
          result.complete(new long[] {now - measured[0], confirmed.get() - measured[1]});
        } else if (!result.isDone()) {
          send[0].run();
        }
        if (outstanding.decrementAndGet() == 0 && result.isDone()) settled.complete(null);
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < window; i++) send[0].run();
    });
    long[] r = result.get(300, TimeUnit.SECONDS);
    // the window still in flight settles before the next figure starts, so it does not begin
    // behind this one's messages
    try {
      settled.get(SETTLE_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      System.out.printf("  (%d sends of %d B still unconfirmed after %d s)%n", outstanding.get(), size, SETTLE_SECONDS);
    }
    if (failed.get() > 0) System.out.printf("  (%d sends of %d B failed during the run, the first: %s)%n", failed.get(), size,
      firstFailure.get());
    if (reliable) return r[1] * 1e9 / r[0];
    TimeUnit.MILLISECONDS.sleep(500); // let the far side drain before counting
    return (sunk() - sunkBefore) * 1e9 / (System.nanoTime() - start - 500_000_000L);
  }

  /** Messages the far side's {@code bench.sink} has counted so far. */
  long sunk() throws Exception {
    return load().query(new BusLoad.Target(Addresses.REQUEST, to(BenchPeer.COUNT)));
  }

  /**
   * Unreliable ping-pong: an unreliable {@code p2p.send} to {@code bench.uecho}, which sends the
   * body back unreliably to our {@code bench.upong}; a pong missing after {@code timeoutMs}
   * counts as lost.
   */
  RawUdp.Rtt unreliableRtt(int size, int warmup, int samples, long timeoutMs) throws Exception {
    long[] lat = new long[samples];
    int[] n = {0, 0, 0}; // pings finished, measured answers, measured losses
    long[] sent = {0, 0, -1}; // time, last sequence number, the one awaited
    long[] timer = {-1};
    CompletableFuture<Void> done = new CompletableFuture<>();
    DeliveryOptions opts = to(BenchPeer.UECHO).addHeader(Addresses.HEADER_RELIABLE, "false");
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (n[0] >= warmup + samples) {
        done.complete(null);
        return;
      }
      long seq = ++sent[1];
      sent[2] = seq;
      sent[0] = System.nanoTime();
      Buffer body = Buffer.buffer(size).appendLong(seq).appendBytes(new byte[size - 8]);
      vertx.eventBus().request(Addresses.SEND, body, opts);
      timer[0] = vertx.setTimer(timeoutMs, t -> {
        if (sent[2] != seq) return;
        sent[2] = -1;
        if (n[0]++ >= warmup) n[2]++;
        next[0].run();
      });
    };
    io.vertx.core.Context ctx = vertx.getOrCreateContext(); // pings, pongs and timers all run here
    CompletableFuture<MessageConsumer<Buffer>> consumer = new CompletableFuture<>();
    ctx.runOnContext(v -> consumer.complete(vertx.eventBus().<Buffer>localConsumer(BenchPeer.UPONG, m -> {
      if (m.body().getLong(0) != sent[2]) return; // late or duplicate
      vertx.cancelTimer(timer[0]);
      sent[2] = -1;
      if (n[0]++ >= warmup) lat[n[1]++] = System.nanoTime() - sent[0];
      next[0].run();
    })));
    MessageConsumer<Buffer> pong = consumer.get(10, TimeUnit.SECONDS);
    try {
      pong.completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      ctx.runOnContext(v -> next[0].run());
      done.get(timeoutMs * (warmup + samples) / 1000 + 120, TimeUnit.SECONDS);
    } finally {
      pong.unregister();
    }
    return RawUdp.Rtt.of(java.util.Arrays.copyOf(lat, n[1]), n[2]);
  }
}
