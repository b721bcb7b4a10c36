package io.p2pnode.bench;

import io.p2pnode.NodeProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * p2p-node against Linux TCP on one lossy lab path (issue #14), all in one run: the NAT lab's
 * {@code public} scenario (alice behind NAT A, bob on the internet), router A with a bottleneck
 * ({@code tbf}, {@code MBIT} Mbit/s, a queue of one RTT), a delay of RTT/2 each way and random loss.
 * Per (RTT, loss): p2p reliable 64 KB with BBR and NewReno, 1 KB with BBR, iperf3 TCP with
 * {@code -C bbr} and {@code -C cubic}; then at the first RTT without loss two p2p flows together,
 * one p2p flow against one CUBIC flow, and p2p's RTT under load through a 100 ms-deep queue.
 * Prints MB/s, shares and ratios. Run by {@code bench/lossy.sh} (root; installs iperf3).
 *
 * <p>Arguments (all optional): {@code MBIT=100 SECONDS=8 RTTS=20,100 LOSSES=0,0.01,0.03 PARTS=matrix,sharing,rttload}
 * (PARTS {@code matrix,bbr64}: the matrix with p2p 64 KB BBR and TCP BBR only; {@code LOSSY_TRACE=1}: the
 * probes trace their controller every 100 ms on stderr).
 */
public final class LossyBench {
  private static final String COORD = "203.0.113.100:7700";
  private static final String BOB = "203.0.113.20";
  private static final String ROUTER = "p2plab-nata";

  private LossyBench() {
  }

  public static void main(String[] args) throws Exception {
    int mbit = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String[] rtts = (args.length > 2 ? args[2] : "20,100").split(",");
    String[] losses = (args.length > 3 ? args[3] : "0,0.01,0.03").split(",");
    String parts = args.length > 4 ? args[4] : "matrix,sharing,rttload";
    System.out.printf(Locale.ROOT, "lossy lab: %d Mbit/s bottleneck (tbf, queue = 1 RTT), %d s per figure, MB/s%n", mbit, seconds);
    System.out.printf(Locale.ROOT, "%-6s %-6s %9s %9s %9s %9s %9s %12s %12s%n", "rtt", "loss", "p2p64bbr", "p2p64reno",
      "p2p1kbbr", "tcp-bbr", "tcp-cubic", "64bbr/tcpbbr", "64bbr/cubic", "cold64bbr");
    for (String rtt : parts.contains("matrix") ? rtts : new String[0]) {
      for (String loss : losses) {
        int r = Integer.parseInt(rtt);
        double l = Double.parseDouble(loss);
        Map<String, Double> m = cell(mbit, r, r, l, seconds, parts.contains("bbr64"));
        double bbr64 = m.getOrDefault("bbr 65536", 0.0);
        System.out.printf(Locale.ROOT, "%-6s %-6s %9.2f %9.2f %9.2f %9.2f %9.2f %12.2f %12.2f %9.2f%n", r + "ms", l * 100 + "%",
          bbr64, m.getOrDefault("newreno 65536", 0.0), m.getOrDefault("bbr 1000", 0.0), m.getOrDefault("tcp bbr", 0.0),
          m.getOrDefault("tcp cubic", 0.0), bbr64 / m.getOrDefault("tcp bbr", Double.NaN),
          bbr64 / m.getOrDefault("tcp cubic", Double.NaN), m.getOrDefault("cold bbr 65536", Double.NaN));
      }
    }
    if (parts.contains("sharing")) sharing(mbit, Integer.parseInt(rtts[0]), seconds);
    if (parts.contains("rttload")) rttUnderLoad(mbit, Integer.parseInt(rtts[0]), seconds);
    System.exit(0);
  }

  /** One lab path: p2p (three probes) and iperf3 (two runs) one after the other. */
  private static Map<String, Double> cell(int mbit, int rttMs, int queueMs, double loss, int seconds, boolean bbr64Only)
    throws Exception {
    Map<String, Double> m = new LinkedHashMap<>();
    List<Process> procs = lab(mbit, rttMs, queueMs, loss);
    try {
      if (bbr64Only) { // a quick look: p2p 64 KB with BBR against TCP BBR only
        probe(m, "bbr", 7791, "a1", seconds, "65536");
        m.put("tcp bbr", iperf("bbr", seconds));
        return m;
      }
      probe(m, "bbr", 7791, "a1", seconds, "65536", "1000");
      probe(m, "newreno", 7792, "a2", seconds, "65536");
      m.put("tcp bbr", iperf("bbr", seconds));
      m.put("tcp cubic", iperf("cubic", seconds));
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
    return m;
  }

  /** Two p2p flows together; one p2p flow against one CUBIC flow. */
  private static void sharing(int mbit, int rttMs, int seconds) throws Exception {
    List<Process> procs = lab(mbit, rttMs, rttMs, 0);
    try {
      Map<String, Double> m = new LinkedHashMap<>();
      Thread other = new Thread(() -> {
        try {
          probe(m, "bbr", 7792, "a2", seconds + 4, "65536");
        } catch (Exception e) {
          System.out.println("probe a2: " + e);
        }
      });
      other.start();
      probe(m, "bbr", 7791, "a1", seconds + 4, "65536");
      other.join();
      double a = m.getOrDefault("a1 65536", 0.0);
      double b = m.getOrDefault("a2 65536", 0.0);
      double cap = mbit / 8.0;
      System.out.printf(Locale.ROOT, "%ntwo p2p flows (BBR, 64 KB), %d ms: %.2f + %.2f MB/s, shares %.0f%% / %.0f%% of the bottleneck (%.1f MB/s)%n",
        rttMs, a, b, 100 * a / cap, 100 * b / cap, cap);

      // CUBIC runs through the probe's whole life; its rate counts over the span p2p's (warm) figure
      // was measured in. Before, each flow had its own 8 s, and the two did not overlap: the "shares"
      // added up to 1.3-1.7 x the bottleneck.
      Map<String, Double> v = new LinkedHashMap<>();
      IperfSeries[] tcp = new IperfSeries[1];
      Thread cubic = new Thread(() -> {
        try {
          TimeUnit.SECONDS.sleep(4); // the probe's node connects first
          tcp[0] = iperfSeries("cubic", 4 * seconds + 20);
        } catch (Exception e) {
          System.out.println("iperf3: " + e);
        }
      });
      cubic.start();
      probe(v, "bbr", 7793, "a3", seconds + 4, "65536");
      cubic.join();
      double p = v.getOrDefault("a3 65536", 0.0);
      double c = tcp[0] == null ? Double.NaN
        : tcp[0].rateBetween(v.getOrDefault("window from a3 65536", 0.0).longValue(), v.getOrDefault("window to a3 65536", 0.0).longValue());
      System.out.printf(Locale.ROOT, "p2p (BBR) against TCP CUBIC, %d ms, both over the same %d s: %.2f vs %.2f MB/s, p2p share %.0f%%%n",
        rttMs, seconds + 4, p, c, 100 * p / (p + c));
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
  }

  /** p2p's smoothed RTT with BBR, then NewReno, through a 100 ms-deep queue against the path's min RTT. */
  private static void rttUnderLoad(int mbit, int rttMs, int seconds) throws Exception {
    List<Process> procs = lab(mbit, rttMs, 100, 0);
    try {
      Map<String, Double> m = new LinkedHashMap<>();
      probe(m, "bbr", 7791, "a1", seconds, "65536");
      System.out.printf(Locale.ROOT, "RTT under load through a 100 ms queue, %d ms path: srtt %.1f ms (mean over the run), min RTT %.1f ms, ratio %.2f (%.2f MB/s)%n",
        rttMs, m.getOrDefault("srtt a1", -1.0), m.getOrDefault("minrtt a1", -1.0),
        m.getOrDefault("srtt a1", -1.0) / m.getOrDefault("minrtt a1", -1.0), m.getOrDefault("bbr 65536", 0.0));
      Map<String, Double> n = new LinkedHashMap<>();
      probe(n, "newreno", 7792, "a2", seconds, "65536");
      System.out.printf(Locale.ROOT, "  the same with NewReno: srtt %.1f ms (%.2f MB/s)%n", n.getOrDefault("srtt a2", -1.0),
        n.getOrDefault("newreno 65536", 0.0));
      double[] tcp = new double[2];
      double rate = iperfOnce("bbr", seconds, tcp);
      System.out.printf(Locale.ROOT, "  Linux TCP BBR on the same path: mean RTT %.1f ms (its min %.1f ms), %.2f × p2p's min RTT (%.2f MB/s)%n",
        tcp[0], tcp[1], tcp[0] / m.getOrDefault("minrtt a1", Double.NaN), rate);
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
  }

  private static List<Process> lab(int mbit, int rttMs, int queueMs, double loss) throws Exception {
    try {
      run("bash", "cluster/natlab.sh", "up", "public");
    } catch (IllegalStateException e) { // a namespace of the last lab still going away
      TimeUnit.SECONDS.sleep(2);
      run("bash", "cluster/natlab.sh", "up", "public");
    }
    run("bash", "cluster/natlab.sh", "bottleneck", ROUTER, String.valueOf(mbit), String.valueOf(queueMs));
    if (rttMs > 1) run("bash", "cluster/natlab.sh", "delay", ROUTER, String.valueOf(rttMs / 2));
    if (loss > 0) run("bash", "cluster/natlab.sh", "impair", ROUTER, String.valueOf(loss));
    List<Process> procs = new ArrayList<>();
    procs.add(node("p2plab-coord", "io.p2pnode.Main", new JsonObject().put("peerId", "coord")
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700).put("tcp", false))
      .put("bridge", new JsonObject().put("port", 0))));
    procs.add(node("p2plab-bob", BenchPeer.class.getName(), new JsonObject().put("peerId", "bob")
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700).put("tcp", false))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add(COORD)).put("bridge", new JsonObject().put("port", 0))));
    procs.add(new ProcessBuilder("ip", "netns", "exec", "p2plab-bob", "iperf3", "-s").redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    TimeUnit.SECONDS.sleep(3); // let bob register
    return procs;
  }

  /** Runs a {@link LossyProbe} in alice's namespace and records its figures under "CONTROLLER SIZE" / "LABEL SIZE". */
  private static void probe(Map<String, Double> into, String cc, int port, String label, int seconds, String... sizes)
    throws Exception {
    List<String> cmd = NodeProcess.javaBenchIn("p2plab-alice", LossyProbe.class.getName());
    cmd.addAll(List.of(COORD, cc, String.valueOf(port), label, String.valueOf(seconds)));
    cmd.addAll(List.of(sizes));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(" ");
        if (line.startsWith("RESULT rate ")) {
          synchronized (into) {
            into.put(cc + " " + f[3], Double.parseDouble(f[4]));
            into.put(label + " " + f[3], Double.parseDouble(f[4]));
          }
        } else if (line.startsWith("RESULT window ")) {
          synchronized (into) {
            into.put("window from " + label + " " + f[3], Double.parseDouble(f[4]));
            into.put("window to " + label + " " + f[3], Double.parseDouble(f[5]));
          }
        } else if (line.startsWith("RESULT cold ")) {
          synchronized (into) {
            into.put("cold " + cc + " " + f[3], Double.parseDouble(f[4]));
          }
        } else if (line.startsWith("RESULT rtt ")) {
          synchronized (into) {
            into.put("srtt " + label, Double.parseDouble(f[3]));
            into.put("minrtt " + label, Double.parseDouble(f[4]));
          }
        } else if (line.startsWith("RESULT trace ")) {
          System.err.println("  " + label + " " + cc + " " + line.substring(13));
        } else if (line.startsWith("RESULT delivered ")) {
          System.err.println("  " + line.substring(7));
        } else if (line.startsWith("RESULT transport ")) {
          System.err.println("  " + label + " " + cc + ": " + line.substring(17));
        } else if (line.contains("Exception") || line.contains("failed during the run")) {
          System.out.println("probe " + label + ": " + line);
        }
      }
    }
    p.waitFor(300, TimeUnit.SECONDS);
  }

  /** iperf3 TCP from alice to bob with Linux congestion control {@code cc}; MB/s received. */
  private static double iperf(String cc, int seconds) throws Exception {
    for (int attempt = 0; ; attempt++) {
      double r = iperfOnce(cc, seconds);
      if (r > 0 || attempt == 2) return r;
      TimeUnit.SECONDS.sleep(1); // the server may still be finishing the last test
    }
  }

  private static double iperfOnce(String cc, int seconds) throws Exception {
    return iperfOnce(cc, seconds, null);
  }

  /** One iperf3 run; with {@code rttMs} given, its sender's mean and min RTT (TCP_INFO) go there. */
  private static double iperfOnce(String cc, int seconds, double[] rttMs) throws Exception {
    JsonObject json = iperfJson(cc, seconds + 2, "-O", "2");
    if (json == null) return 0;
    JsonObject end = json.getJsonObject("end");
    if (rttMs != null) {
      JsonObject sender = end.getJsonArray("streams").getJsonObject(0).getJsonObject("sender");
      rttMs[0] = sender.getDouble("mean_rtt", -1e3) / 1e3;
      rttMs[1] = sender.getDouble("min_rtt", -1e3) / 1e3;
    }
    return end.getJsonObject("sum_received").getDouble("bits_per_second") / 8e6;
  }

  /** iperf3 TCP from alice to bob with Linux congestion control {@code cc}: its JSON report, or null (printed why). */
  private static JsonObject iperfJson(String cc, int seconds, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "p2plab-alice", "iperf3", "-c", BOB, "-C", cc, "-t",
      String.valueOf(seconds), "-J"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(seconds + 60L, TimeUnit.SECONDS);
    try {
      JsonObject json = new JsonObject(out.substring(out.indexOf('{')));
      JsonObject end = json.getJsonObject("end");
      // a run that failed part way (on a lossy path its control connection can time out) still
      // prints JSON: its "end" has no totals, and its "error" says why
      if (end == null || end.getJsonObject("sum_received") == null || end.getJsonArray("streams", new JsonArray()).isEmpty()) {
        throw new IllegalStateException(json.getString("error", "no totals in its report"));
      }
      return json;
    } catch (RuntimeException e) {
      String why = e instanceof IllegalStateException ? e.getMessage() // a report without totals
        : out.lines().filter(l -> l.contains("error")).findFirst().orElse(e.toString()); // no report at all
      System.out.println("iperf3 " + cc + ": " + why);
      return null;
    }
  }

  /** One iperf3 run's bytes per reported second, against the wall clock it was started at. */
  private record IperfSeries(long startedEpochMs, JsonArray intervals) {
    /** MB/s sent over [{@code fromMs}, {@code toMs}) (epoch ms), counting each interval by its overlap; NaN if not covered. */
    double rateBetween(long fromMs, long toMs) {
      double bytes = 0;
      double covered = 0;
      for (int i = 0; i < intervals.size(); i++) {
        JsonObject sum = intervals.getJsonObject(i).getJsonObject("sum");
        double s = startedEpochMs + sum.getDouble("start") * 1e3;
        double e = startedEpochMs + sum.getDouble("end") * 1e3;
        if (e <= s) continue;
        double overlap = Math.min(e, toMs) - Math.max(s, fromMs);
        if (overlap <= 0) continue;
        bytes += sum.getDouble("bytes") * overlap / (e - s);
        covered += overlap;
      }
      return toMs <= fromMs || covered < 0.95 * (toMs - fromMs) ? Double.NaN : bytes / ((toMs - fromMs) * 1e3);
    }
  }

  /** iperf3 TCP from alice to bob for {@code seconds}, reported per second; null if it failed. */
  private static IperfSeries iperfSeries(String cc, int seconds) throws Exception {
    long started = System.currentTimeMillis();
    JsonObject json = iperfJson(cc, seconds);
    return json == null ? null : new IperfSeries(started, json.getJsonArray("intervals"));
  }

  private static Process node(String netns, String mainClass, JsonObject config) throws Exception {
    Path f = Files.createTempFile("p2p-lossy-", ".json");
    Files.writeString(f, config.encode());
    f.toFile().deleteOnExit();
    List<String> cmd = NodeProcess.javaBenchIn(netns, mainClass);
    cmd.addAll(List.of("--conf", f.toString()));
    return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("failed: " + String.join(" ", cmd));
  }
}
