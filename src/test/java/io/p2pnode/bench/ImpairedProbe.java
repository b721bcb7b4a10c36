package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs inside alice's namespace of an impaired NAT lab: request/reply RTT (p50/p99) and
 * one-way throughput for 64 B, 1 KB and 64 KB messages, reliable and (64 B, 1 KB) unreliable,
 * against {@link BenchPeer} as bob. Prints one line per figure.
 */
public final class ImpairedProbe {
  private ImpairedProbe() {
  }

  public static void main(String[] args) throws Exception {
    P2pNode node = LabPeer.start("impaired", 7791, args[0], new JsonObject().put("connectTimeoutMs", 20_000));
    P2pClient api = P2pClient.create(node.vertx());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        LabPeer.await(api.connect("bob"));
        break;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) throw e;
        LabPeer.await(LabPeer.delay(node, 200));
      }
    }
    for (int size : new int[] {64, 1000, 64 * 1024}) {
      double[] rtt = rtt(node, size, size > 10_000 ? 100 : 500);
      System.out.printf(Locale.ROOT, "RESULT %d B reliable: RTT p50 %.1f ms, p99 %.1f ms, throughput %.0f msg/s%n",
        size, rtt[0], rtt[1], throughput(node, size, size > 10_000 ? 32 : 512, true));
    }
    for (int size : new int[] {64, 1000}) {
      long before = count(node);
      long t0 = System.nanoTime();
      throughput(node, size, 512, false);
      TimeUnit.MILLISECONDS.sleep(500);
      double delivered = (count(node) - before) * 1e9 / (System.nanoTime() - t0 - 500_000_000L);
      System.out.printf(Locale.ROOT, "RESULT %d B unreliable: delivered %.0f msg/s%n", size, delivered);
    }
    JsonObject t = LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
    System.out.println("RESULT transport " + t.encode());
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static DeliveryOptions to(String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, address);
  }

  private static double[] rtt(P2pNode node, int size, int samples) throws Exception {
    Buffer body = Buffer.buffer(new byte[size]);
    long[] lat = new long[samples];
    for (int i = 0; i < samples; i++) {
      long t0 = System.nanoTime();
      LabPeer.await(node.vertx().eventBus().request(Addresses.REQUEST, body, to("bench.echo")));
      lat[i] = System.nanoTime() - t0;
    }
    Arrays.sort(lat);
    return new double[] {lat[samples / 2] / 1e6, lat[(int) (samples * 0.99)] / 1e6};
  }

  /** Sends for 5 s with {@code window} in flight; returns confirmed (or, unreliable, accepted) msg/s. */
  private static double throughput(P2pNode node, int size, int window, boolean reliable) throws Exception {
    Buffer body = Buffer.buffer(new byte[size]);
    DeliveryOptions opts = to("bench.sink").addHeader(Addresses.HEADER_RELIABLE, String.valueOf(reliable));
    AtomicLong done = new AtomicLong();
    CompletableFuture<Double> result = new CompletableFuture<>();
    long start = System.nanoTime();
    Runnable[] send = new Runnable[1];
    send[0] = () -> node.vertx().eventBus().request(Addresses.SEND, body, opts).onComplete(ar -> {
      if (ar.succeeded()) done.incrementAndGet();
      long el = System.nanoTime() - start;
      if (el >= TimeUnit.SECONDS.toNanos(5)) result.complete(done.get() * 1e9 / el);
      else if (!result.isDone()) send[0].run();
    });
    node.vertx().runOnContext(v -> {
      for (int i = 0; i < window; i++) send[0].run();
    });
    return result.get(120, TimeUnit.SECONDS);
  }

  private static long count(P2pNode node) throws Exception {
    return Long.parseLong((String) LabPeer.await(node.vertx().eventBus().request(Addresses.REQUEST, "?", to("bench.count"))).body());
  }
}
