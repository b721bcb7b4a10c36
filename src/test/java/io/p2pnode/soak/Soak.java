package io.p2pnode.soak;

import io.p2pnode.NodeProcess;
import io.p2pnode.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;

/**
 * The soak: a coordinator process and three peers (each on its own Vert.x) under mixed traffic
 * while peers restart, the direct path between two peers flaps (iptables on loopback, when root)
 * and the coordinator is killed and restarted. Prints a line every 10 s and a summary; exit code
 * 0 when no invariant broke, no fault was counted and the vitals stayed flat.
 * <pre>java -cp target/p2p-node.jar:target/test-classes io.p2pnode.soak.Soak SECONDS</pre>
 */
public final class Soak {
  /** What a run found. */
  public record Result(long messages, long confirmed, long failedSends, long gapsAcrossBreaks, long violations,
                       String firstViolation, long faults, Vitals baseline, Vitals last, Vitals peak, String leak,
                       long bigDelivered, long echoes, long unreliable, int restarts, int flaps, int coordinatorKills) {
    public boolean ok() {
      return violations == 0 && faults == 0 && leak == null && confirmed > 0;
    }

    String summary() {
      return String.format(Locale.ROOT, "soak: %d messages delivered (%d confirmed), %d large, %d echoes, %d unreliable; "
          + "%d sends failed around restarts, %d gaps across session breaks; %d violations%s; %d faults; "
          + "%d peer restarts, %d path flaps, %d coordinator kills; vitals baseline [%s], end [%s], peak [%s]%s",
        messages, confirmed, bigDelivered, echoes, unreliable, failedSends, gapsAcrossBreaks, violations,
        firstViolation == null ? "" : " (first: " + firstViolation + ")", faults, restarts, flaps, coordinatorKills,
        baseline, last, peak, leak == null ? "; vitals flat" : "; LEAK: " + leak);
    }
  }

  private final long seconds;
  private final long restartEverySec;
  private final long flapEverySec;
  private final long bigEverySec;
  private final int coordinatorPort = TestNodes.freeUdpPort();
  private final List<SoakPeer> peers = new ArrayList<>();
  private final Flaps flaps;
  private NodeProcess coordinator;

  /**
   * @param seconds how long the traffic runs; peers restart, paths flap and large messages go at
   *                intervals scaled to it (the coordinator is killed once per 3 minutes, at least once)
   */
  public Soak(long seconds) throws Exception {
    this.seconds = seconds;
    this.restartEverySec = Math.max(20, Math.min(60, seconds / 4));
    this.flapEverySec = Math.max(15, Math.min(45, seconds / 6));
    this.bigEverySec = Math.max(10, Math.min(30, seconds / 8));
    Path dir = Files.createTempDirectory("p2p-soak");
    for (String id : List.of("soak-a", "soak-b", "soak-c")) {
      peers.add(new SoakPeer(id, TestNodes.freeUdpPort(), dir.resolve(id + ".key")));
    }
    flaps = new Flaps(peers.get(0).port, peers.get(1).port);
  }

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
    Result r = new Soak(seconds).run();
    System.out.println(r.summary());
    System.exit(r.ok() ? 0 : 1);
  }

  /** Runs the soak; always cleans up (processes, iptables rules). */
  public Result run() throws Exception {
    try {
      startCoordinator();
      for (SoakPeer p : peers) await(p.start(coordinatorPort, peers));
      return drive();
    } finally {
      flaps.clear();
      for (SoakPeer p : peers) {
        try {
          p.stop();
        } catch (RuntimeException ignored) {
          // best effort
        }
      }
      if (coordinator != null) coordinator.close();
    }
  }

  private Result drive() throws Exception {
    long start = System.nanoTime();
    Vitals baseline = null;
    Vitals last = Vitals.sample();
    Vitals peak = last;
    int restarts = 0;
    int flapCount = 0;
    int kills = 0;
    int bigTurn = 0;
    long nextRestart = restartEverySec;
    long nextFlap = flapEverySec / 2;
    long nextBig = bigEverySec;
    long nextKill = Math.max(30, Math.min(180, seconds / 2));
    long nextReport = 10;
    Future<Void> bigInFlight = Future.succeededFuture();
    while (true) {
      long t = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      if (t >= seconds) break;
      if (t >= nextRestart) {
        SoakPeer p = peers.get(restarts++ % peers.size());
        p.stop();
        Thread.sleep(2_000); // the soak's own pacing between chaos events, not a test synchronisation
        await(p.start(coordinatorPort, peers));
        nextRestart += restartEverySec;
      }
      if (t >= nextFlap && flaps.available()) {
        flaps.cut(3 + flapCount % 6);
        flapCount++;
        nextFlap += flapEverySec;
      }
      flaps.healDue();
      if (t >= nextKill) {
        coordinator.kill();
        coordinator.awaitExit();
        kills++;
        Thread.sleep(3_000);
        startCoordinator();
        nextKill += 180;
      }
      if (t >= nextBig && bigInFlight.isComplete()) {
        SoakPeer from = peers.get(bigTurn % peers.size());
        SoakPeer to = peers.get((bigTurn + 1) % peers.size());
        bigTurn++;
        bigInFlight = from.big(to.peerId);
        nextBig += bigEverySec;
      }
      if (t >= nextReport) {
        last = Vitals.sample();
        if (baseline == null && t >= Math.max(20, seconds / 5)) baseline = last;
        peak = new Vitals(Math.max(peak.heapBytes(), last.heapBytes()), Math.max(peak.directBytes(), last.directBytes()),
          Math.max(peak.threads(), last.threads()), Math.max(peak.fds(), last.fds()));
        System.out.printf(Locale.ROOT, "soak %4ds: %d delivered, %d confirmed, %d failed, %d violations, coordinator %s; %s%n",
          t, received(), sum(p -> p.confirmed.get()), sum(p -> p.failedSends.get()), violations(),
          coordinatorVitals(), last);
        nextReport += 10;
      }
      Thread.sleep(200);
    }
    flaps.clear();
    await(bigInFlight.otherwise((Void) null));
    Thread.sleep(3_000); // let the last bursts land before the books close
    last = Vitals.sample();
    if (baseline == null) baseline = last;
    long faults = 0;
    for (SoakPeer p : peers) faults += await(p.faults());
    SoakPeer withViolation = peers.stream().filter(p -> p.checker.firstViolation() != null).findFirst().orElse(null);
    return new Result(received(), sum(p -> p.confirmed.get()), sum(p -> p.failedSends.get()),
      sum(p -> p.checker.gapsAcrossBreaks()), violations(), withViolation == null ? null : withViolation.checker.firstViolation(),
      faults, baseline, last, peak, baseline.leakAgainst(last), sum(p -> p.bigDelivered.get()), sum(p -> p.echoes.get()),
      sum(p -> p.unreliableReceived.get()), restarts, flapCount, kills);
  }

  private long received() {
    return sum(p -> p.checker.received());
  }

  private long violations() {
    return sum(p -> p.checker.violations());
  }

  private long sum(java.util.function.ToLongFunction<SoakPeer> f) {
    return peers.stream().mapToLong(f).sum();
  }

  private void startCoordinator() throws Exception {
    coordinator = NodeProcess.startWithConfig(new JsonObject().put("peerId", "soak-coord")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", coordinatorPort).put("instances", 2))
      .put("bridge", new JsonObject().put("port", 0))
      .put("http", new JsonObject().put("port", 0))
      .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 8000)));
    coordinator.awaitReady();
  }

  /** The coordinator process's resident memory and open files, from /proc. */
  private String coordinatorVitals() {
    try {
      long pid = coordinator.pid();
      String rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS"))
        .findFirst().map(l -> l.replaceAll("\\s+", " ").substring(7)).orElse("?");
      String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
      return "rss " + rss + ", fds " + (fds == null ? "?" : fds.length);
    } catch (Exception e) {
      return "?";
    }
  }
}
