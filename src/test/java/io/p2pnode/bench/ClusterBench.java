package io.p2pnode.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.p2pnode.cluster.ClusterProcesses;
import io.p2pnode.registry.HazelcastRegistry;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clustered registry under load: three coordinator processes and N simulated peers
 * ({@link SimPeers}, default 100 000) registered round-robin across them, against one standalone
 * coordinator measured in the same run. Prints registrations/s, registry lookups/s (Hazelcast
 * client, and CONNECTs answered by a coordinator), memory per registry entry and the time to
 * route an introduction to a peer of another coordinator versus one of the same coordinator.
 * Run with {@code bash bench/cluster.sh [PEERS]}.
 */
public final class ClusterBench {
  static final int WINDOW = 512;
  static final int LATENCY_SAMPLES = 1_000;
  static final long RATE_NANOS = TimeUnit.SECONDS.toNanos(3);

  private ClusterBench() {
  }

  public static void main(String[] args) throws Exception {
    int peers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    // all simulated peers share one source IP here: no per-IP control limit for this benchmark
    JsonObject coordinator = new JsonObject().put("coordinator", new JsonObject().put("registrationTtlMs", 3_600_000)
      .put("maxPeers", 10_000_000)).put("listen", new JsonObject().put("controlRatePerIp", 0));
    System.out.printf("clustered registry benchmark: %d simulated peers, %d cores%n", peers, Runtime.getRuntime().availableProcessors());

    double soloRegs;
    double soloRefresh;
    double[] soloIntro;
    double soloConnects;
    try (ClusterProcesses solo = new ClusterProcesses(); SimPeers sims = new SimPeers()) {
      var s = solo.start("solo", "-", coordinator.copy().put("cluster", new JsonObject().put("enabled", false)));
      soloRegs = peers * 1e9 / sims.register(peers, i -> s.udp(), WINDOW);
      soloRefresh = peers * 1e9 / sims.register(peers, i -> s.udp(), WINDOW);
      soloIntro = introductions(sims, s.udp(), 1, peers);
      soloConnects = connectRate(sims, s.udp(), 1, peers);
    }

    String name = "p2p-bench-" + ProcessHandle.current().pid();
    try (ClusterProcesses cluster = new ClusterProcesses(); SimPeers sims = new SimPeers()) {
      ClusterProcesses.Coordinator[] c = new ClusterProcesses.Coordinator[3];
      for (int i = 0; i < 3; i++) c[i] = cluster.start("c" + (i + 1), ClusterProcesses.memberConfig(name, i + 1, 3, 5830, 36000), coordinator);
      ClusterProcesses.awaitStatus(c[0], s -> ClusterProcesses.members(s) == 3, 60, "three members");
      long t0 = System.nanoTime();
      sims.register(peers, i -> c[i % 3].udp(), WINDOW);
      // acknowledged is not yet shared: the rate counts until every record is in the registry
      while (sharedEntries(c) < peers) TimeUnit.MILLISECONDS.sleep(20);
      double regs = peers * 1e9 / (System.nanoTime() - t0);
      double refresh = peers * 1e9 / sims.register(peers, i -> c[i % 3].udp(), WINDOW);
      long entries = 0;
      long bytes = 0;
      long ownedBytes = 0;
      long failedWrites = 0;
      for (ClusterProcesses.Coordinator co : c) {
        JsonObject r = co.status().getJsonObject("cluster").getJsonObject("registry");
        failedWrites += r.getLong("failedWrites");
        entries += r.getLong("ownedEntries");
        ownedBytes += r.getLong("ownedBytes");
        bytes += r.getLong("ownedBytes") + r.getLong("backupBytes");
      }
      double lookups = clientLookups(name, peers);
      double connects = connectRate(sims, c[0].udp(), 3, peers);
      double[] cross = introductions(sims, c[0].udp(), 3, peers);

      System.out.println();
      System.out.printf("%-52s %14s %14s %8s%n", "measure", "standalone", "3 clustered", "ratio");
      row("new registrations/s (all coordinators)", soloRegs, regs);
      row("new registrations/s per coordinator", soloRegs, regs / 3);
      row("refreshes/s per coordinator", soloRefresh, refresh / 3);
      row("CONNECTs answered/s by one coordinator", soloConnects, connects);
      row("introduction routed, p50 (us): same vs other coord.", soloIntro[0], cross[0]);
      row("introduction routed, p99 (us)", soloIntro[1], cross[1]);
      System.out.println();
      System.out.printf(Locale.ROOT, "registry entries held (primary copies): %d of %d; failed writes %d%n", entries, peers, failedWrites);
      System.out.printf(Locale.ROOT, "registry memory per entry (Hazelcast cost): %.0f B primary, %.0f B with its backup%n",
        ownedBytes / (double) Math.max(1, entries), bytes / (double) Math.max(1, entries));
      System.out.printf(Locale.ROOT, "registry lookups/s (Hazelcast client, %d in flight): %.0f%n", WINDOW, lookups);
      System.out.printf("%nsimulated peers register from one UDP socket (window %d, re-sent after 1 s); introductions:%n"
        + "CONNECT sent -> INTRODUCE at the target, one at a time, %d samples; \"same\" = standalone coordinator,%n"
        + "\"other\" = target registered with another coordinator (shared registry lookup + clustered event bus).%n", WINDOW,
        LATENCY_SAMPLES);
    }
    System.exit(0);
  }

  /**
   * CONNECT from {@code sim-0} (registered at {@code coordinator}) to targets that are not
   * registered there when {@code stride} is 3 (ids not divisible by 3), one at a time; p50/p99
   * of CONNECT -> the target's INTRODUCE, in microseconds.
   */
  private static double[] introductions(SimPeers sims, InetSocketAddress coordinator, int stride, int peers) throws Exception {
    long[] lat = new long[LATENCY_SAMPLES];
    int n = 0;
    for (int i = 0; n < LATENCY_SAMPLES; i++) {
      int target = target(i, stride, peers);
      int txn = sims.connect(SimPeers.id(0), SimPeers.id(target), coordinator);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (sims.introductionNanos(txn) < 0 && System.nanoTime() < deadline) Thread.onSpinWait();
      long t = sims.introductionNanos(txn);
      if (t >= 0) lat[n++] = t;
    }
    Arrays.sort(lat);
    return new double[] {lat[n / 2] / 1e3, lat[(int) (n * 0.99)] / 1e3};
  }

  private static long sharedEntries(ClusterProcesses.Coordinator[] c) throws Exception {
    long n = 0;
    for (ClusterProcesses.Coordinator co : c) n += co.status().getJsonObject("cluster").getJsonObject("registry").getLong("ownedEntries");
    return n;
  }

  private static int target(int i, int stride, int peers) {
    int t = 1 + (i * 7919) % (peers - 1);
    if (stride == 3 && t % 3 == 0) t = t == peers - 1 ? 1 : t + 1;
    return t;
  }

  /** CONNECTs answered per second by {@code coordinator}, {@link #WINDOW} in flight, for 3 s. */
  private static double connectRate(SimPeers sims, InetSocketAddress coordinator, int stride, int peers) throws Exception {
    long start = System.nanoTime();
    long answeredBefore = sims.answered.size();
    int i = 0;
    while (System.nanoTime() - start < RATE_NANOS) {
      if (sims.outstanding() < WINDOW) sims.connect(SimPeers.id(0), SimPeers.id(target(i++, stride, peers)), coordinator);
      else Thread.onSpinWait();
    }
    return (sims.answered.size() - answeredBefore) * 1e9 / (System.nanoTime() - start);
  }

  /** Random {@code getAsync}s on the shared registry from a Hazelcast client, {@link #WINDOW} in flight, for 3 s. */
  private static double clientLookups(String cluster, int peers) throws Exception {
    ClientConfig cc = new ClientConfig().setClusterName(cluster);
    cc.getNetworkConfig().addAddress("127.0.0.1:5831", "127.0.0.1:5832", "127.0.0.1:5833");
    HazelcastInstance client = HazelcastClient.newHazelcastClient(cc);
    try {
      IMap<String, String> map = client.getMap(HazelcastRegistry.MAP);
      Semaphore window = new Semaphore(WINDOW);
      AtomicLong found = new AtomicLong();
      AtomicLong done = new AtomicLong();
      long warm = System.nanoTime();
      while (System.nanoTime() - warm < RATE_NANOS) { // warm-up: JIT, connections to every member
        window.acquire();
        map.getAsync(SimPeers.id(ThreadLocalRandom.current().nextInt(peers))).whenComplete((v, err) -> window.release());
      }
      long start = System.nanoTime();
      while (System.nanoTime() - start < RATE_NANOS) {
        window.acquire();
        map.getAsync(SimPeers.id(ThreadLocalRandom.current().nextInt(peers))).whenComplete((v, err) -> {
          if (v != null) found.incrementAndGet();
          done.incrementAndGet();
          window.release();
        });
      }
      window.acquire(WINDOW);
      long elapsed = System.nanoTime() - start;
      if (found.get() != done.get()) System.out.printf("  (%d of %d lookups found nothing)%n", done.get() - found.get(), done.get());
      return done.get() * 1e9 / elapsed;
    } finally {
      client.shutdown();
    }
  }

  private static void row(String name, double solo, double clustered) {
    System.out.printf(Locale.ROOT, "%-52s %14.1f %14.1f %8.2f%n", name, solo, clustered, clustered / solo);
  }
}
