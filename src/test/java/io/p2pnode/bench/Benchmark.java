package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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

  private static void run(int nodePort, InetSocketAddress rawServer) throws Exception {
    System.out.printf("p2p-node benchmark: two processes on loopback, %d cores, %s%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    RawUdp.Rtt rawRtt;
    RawUdp.Rtt rawRtt1k;
    double raw64;
    double raw1k;
    try (RawUdp raw = RawUdp.client()) {
      rawRtt = raw.pingPong(rawServer, 64, RTT_WARMUP, RTT_SAMPLES, 1_000);
      rawRtt1k = raw.pingPong(rawServer, 1000, RTT_WARMUP, RTT_SAMPLES, 1_000);
      raw64 = raw.blast(rawServer, 64, THROUGHPUT_NANOS);
      raw1k = raw.blast(rawServer, 1000, THROUGHPUT_NANOS);
    }

    Figures enc = measure(nodePort, "bench-a", "bench-b", true);
    Figures plain = measure(nodePort, "bench-a-plain", "bench-b-plain", false);

    System.out.println();
    System.out.printf("%-46s %12s %12s %12s %8s %8s%n", "measure", "raw UDP", "encrypted", "plain", "enc/raw", "enc/plain");
    row("request/reply RTT p50 (us), 64 B", rawRtt.p50Micros(), enc.rtt64.p50Micros(), plain.rtt64.p50Micros());
    row("request/reply RTT p99 (us), 64 B", rawRtt.p99Micros(), enc.rtt64.p99Micros(), plain.rtt64.p99Micros());
    row("request/reply RTT p50 (us), 1 KB", rawRtt1k.p50Micros(), enc.rtt1k.p50Micros(), plain.rtt1k.p50Micros());
    row("unreliable ping-pong RTT p50 (us), 64 B", rawRtt.p50Micros(), enc.urtt64.p50Micros(), plain.urtt64.p50Micros());
    row("unreliable ping-pong RTT p99 (us), 64 B", rawRtt.p99Micros(), enc.urtt64.p99Micros(), plain.urtt64.p99Micros());
    row("unreliable ping-pong RTT p50 (us), 1 KB", rawRtt1k.p50Micros(), enc.urtt1k.p50Micros(), plain.urtt1k.p50Micros());
    row("one-way throughput (msg/s), 64 B", raw64, enc.send64, plain.send64);
    row("one-way throughput (msg/s), 1 KB", raw1k, enc.send1k, plain.send1k);
    row("unreliable one-way (delivered msg/s), 64 B", raw64, enc.un64, plain.un64);
    row("unreliable one-way (delivered msg/s), 1 KB", raw1k, enc.un1k, plain.un1k);
    System.out.println();
    System.out.printf("%-46s %12s %12s %12s%n", "p2p-node reliable, encrypted, by size", "64 B", "1 KB", "64 KB");
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12.1f %12.1f%n", "request/reply RTT p50 (us)", enc.rtt64.p50Micros(),
      enc.rtt1k.p50Micros(), enc.rtt64k.p50Micros());
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12.1f %12.1f%n", "request/reply RTT p99 (us)", enc.rtt64.p99Micros(),
      enc.rtt1k.p99Micros(), enc.rtt64k.p99Micros());
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12.1f %12.1f%n", "one-way throughput (msg/s)", enc.send64, enc.send1k, enc.send64k);
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12.1f %12.1f%n", "one-way throughput (MB/s)", enc.send64 * 64 / 1e6,
      enc.send1k * 1000 / 1e6, enc.send64k * 65536 / 1e6);
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12s %12.1f%n", "64 KB throughput, plain (msg/s; MB/s)", plain.send64k, "",
      plain.send64k * 65536 / 1e6);
    System.out.printf(Locale.ROOT, "%-46s %12.0f %12.0f%n", "first connect (ms, incl. registration): enc, plain",
      enc.connectMs, plain.connectMs);
    System.out.printf(Locale.ROOT, "%-46s %12.0f%n", "Noise IK handshakes/s (both sides, one core)",
      io.p2pnode.crypto.CryptoBench.handshakesPerSecond(2));
    System.out.printf("%nraw = Netty epoll UDP ping-pong / blast (delivered, counted by the receiver);%n"
      + "p2p = p2p.request round trips / p2p.send with %d in flight, each confirmed by the remote node;%n"
      + "unreliable = p2p.send reliable=false, echoed back the same way / counted by the receiver;%n"
      + "encrypted = Noise IK sessions, AES-256-GCM per frame (the default); plain = session.encryption=false.%n", WINDOW);
  }

  /** One mode's figures. */
  private record Figures(RawUdp.Rtt rtt64, RawUdp.Rtt rtt1k, RawUdp.Rtt rtt64k, RawUdp.Rtt urtt64, RawUdp.Rtt urtt1k,
                         double send64, double send1k, double send64k, double un64, double un1k, double connectMs) {
  }

  /** Starts node {@code self} (sessions encrypted or not), connects to {@code far} and measures everything. */
  private static Figures measure(int nodePort, String self, String far, boolean encryption) throws Exception {
    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("peerId", self)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + nodePort))
      .put("session", new JsonObject().put("encryption", encryption))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)));
    P2pNode node = await(P2pNode.start(o));
    try {
      Vertx vertx = node.vertx();
      long t0 = System.nanoTime();
      await(retryConnect(vertx, far));
      double connectMs = (System.nanoTime() - t0) / 1e6;
      P2pMeasure p2p = new P2pMeasure(vertx, far);
      Figures f = new Figures(p2p.requestRtt(64, RTT_WARMUP, RTT_SAMPLES), p2p.requestRtt(1000, RTT_WARMUP / 5, RTT_SAMPLES),
        p2p.requestRtt(64 * 1024, RTT_WARMUP / 50, RTT_SAMPLES / 10),
        p2p.unreliableRtt(64, RTT_WARMUP / 5, RTT_SAMPLES, 1_000), p2p.unreliableRtt(1000, RTT_WARMUP / 5, RTT_SAMPLES, 1_000),
        p2p.sendRate(64, WINDOW, true, WARMUP_NANOS, THROUGHPUT_NANOS), p2p.sendRate(1000, WINDOW, true, WARMUP_NANOS, THROUGHPUT_NANOS),
        p2p.sendRate(64 * 1024, 128, true, WARMUP_NANOS, THROUGHPUT_NANOS),
        p2p.sendRate(64, WINDOW, false, WARMUP_NANOS, THROUGHPUT_NANOS), p2p.sendRate(1000, WINDOW, false, WARMUP_NANOS, THROUGHPUT_NANOS),
        connectMs);
      JsonObject t = await(P2pClient.create(vertx).peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
      System.out.println((encryption ? "encrypted" : "plain") + " session transport after the run: " + t.encode());
      if (f.urtt64.lost() + f.urtt1k.lost() > 0) {
        System.out.printf("unreliable pings lost: %d (64 B), %d (1 KB)%n", f.urtt64.lost(), f.urtt1k.lost());
      }
      return f;
    } finally {
      await(node.stop());
    }
  }

  private static void row(String name, double raw, double enc, double plain) {
    System.out.printf(Locale.ROOT, "%-46s %12.1f %12.1f %12.1f %8.2f %8.2f%n", name, raw, enc, plain, enc / raw, enc / plain);
  }

  private static Future<JsonObject> retryConnect(Vertx vertx, String far) {
    return P2pClient.create(vertx).connect(far).recover(err -> {
      Promise<Void> p = Promise.promise();
      vertx.setTimer(50, t -> p.complete());
      return p.future().compose(v -> retryConnect(vertx, far));
    });
  }

  // ------------------------------------------------------------------ helpers

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
