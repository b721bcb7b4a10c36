package io.p2pnode.bench;

import io.p2pnode.NodeProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time from {@code p2p.connect} to the first delivered message between two peers behind cone
 * NATs in the real NAT lab, with every packet delayed {@code D} ms at each NAT router (NFQUEUE,
 * since there is no netem here), against the lower bound the delays impose:
 * CONNECT to the coordinator (1 hop) + INTRODUCE to the peer (1) + the peer's punch back to us
 * (2) + our first message to the peer (2) = 6 D to delivery, 8 D until its answer is back.
 * Run as root with {@code bench/natlab.sh [D] [TRIALS]}.
 */
public final class NatLabBench {
  /** The cone NATs' public addresses in the lab (cluster/natlab.sh). */
  private static final String ALICE_PUBLIC = "203.0.113.1";
  private static final String BOB_PUBLIC = "203.0.113.2";

  private NatLabBench() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("tcp")) {
      tcp(args.length > 1 ? Integer.parseInt(args[1]) : 20, args.length > 2 ? Integer.parseInt(args[2]) : 5);
      return;
    }
    if (args.length > 0 && args[0].equals("impaired")) {
      impaired(args.length > 1 ? Double.parseDouble(args[1]) : 0.01, args.length > 2 ? Integer.parseInt(args[2]) : 10);
      return;
    }
    int delayMs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int trials = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    run("bash", "cluster/natlab.sh", "up", "cone");
    List<Process> procs = new ArrayList<>();
    try {
      run("bash", "cluster/natlab.sh", "delay", "p2plab-nata", String.valueOf(delayMs));
      run("bash", "cluster/natlab.sh", "delay", "p2plab-natb", String.valueOf(delayMs));
      startCoordinatorAndBob(procs, null);
      TimeUnit.SECONDS.sleep(3); // let bob register (it only has to be there before the first trial)
      List<List<Double>> measured = connectTrials(trials, "", 7700);
      List<Double> delivered = measured.get(0);
      List<Double> roundTrip = measured.get(1);
      System.out.printf(Locale.ROOT, "%nNAT lab, two cone NATs, %d ms per router hop, %d trials (median):%n", delayMs, delivered.size());
      System.out.printf(Locale.ROOT, "%-40s %10s %12s %8s%n", "measure", "measured", "lower bound", "ratio");
      row("connect -> first message delivered (ms)", median(delivered), 6.0 * delayMs);
      row("connect -> its answer back (ms)", median(roundTrip), 8.0 * delayMs);
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
    System.exit(0);
  }

  /**
   * Two cone NATs, {@code loss} random loss at one router and {@code delayMs} at the other:
   * RTT and throughput by message size, reliable and unreliable ({@link ImpairedProbe}).
   */
  private static void impaired(double loss, int delayMs) throws Exception {
    run("bash", "cluster/natlab.sh", "up", "cone");
    List<Process> procs = new ArrayList<>();
    try {
      run("bash", "cluster/natlab.sh", "impair", "p2plab-nata", String.valueOf(loss));
      run("bash", "cluster/natlab.sh", "delay", "p2plab-natb", String.valueOf(delayMs));
      startCoordinatorAndBob(procs, ALICE_PUBLIC + ":" + BenchPeer.LAB_RAW_PORT);
      TimeUnit.SECONDS.sleep(3); // let bob register
      System.out.printf(Locale.ROOT, "NAT lab, two cone NATs, %.1f%% loss at one router, %d ms delay at the other:%n", loss * 100, delayMs);
      probeInAlice(ImpairedProbe.class, "203.0.113.100:7700", BOB_PUBLIC + ":" + BenchPeer.LAB_RAW_PORT);
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
    System.exit(0);
  }

  /**
   * TCP against UDP in one run: time from {@code p2p.connect} to the first delivered message
   * between two cone NATs ({@code delayMs} per router hop) with UDP open ({@code direct}), then
   * with UDP dropped at both routers ({@code direct-tcp}); then, without delay, RTT and
   * confirmed throughput over each path ({@link PathProbe}): UDP, TCP, then UDP again (warm).
   */
  private static void tcp(int delayMs, int trials) throws Exception {
    run("bash", "cluster/natlab.sh", "up", "cone");
    List<Process> procs = new ArrayList<>();
    try {
      run("bash", "cluster/natlab.sh", "delay", "p2plab-nata", String.valueOf(delayMs));
      run("bash", "cluster/natlab.sh", "delay", "p2plab-natb", String.valueOf(delayMs));
      startCoordinatorAndBob(procs, null);
      TimeUnit.SECONDS.sleep(3); // let bob register
      List<Double> udp = connectTrials(trials, "udp", 7700).get(0);
      run("bash", "cluster/natlab.sh", "blockudp", "p2plab-nata", "p2plab-natb");
      TimeUnit.SECONDS.sleep(16); // bob notices that its UDP registration lapsed (3 refreshes of 5 s)
      List<Double> tcp = connectTrials(trials, "tcp", 7750).get(0);
      System.out.printf(Locale.ROOT, "%nNAT lab, two cone NATs, %d ms per router hop, %d trials (median):%n", delayMs, trials);
      System.out.printf(Locale.ROOT, "%-40s %10s %12s %8s%n", "measure", "measured", "lower bound", "ratio");
      row("UDP: connect -> first delivery (ms)", median(udp), 6.0 * delayMs);
      row("TCP: connect -> first delivery (ms)", median(tcp), 6.0 * delayMs);
      System.out.printf(Locale.ROOT, "%-40s %10.2f%n", "TCP / UDP connect time", median(tcp) / median(udp));
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
    run("bash", "cluster/natlab.sh", "up", "cone");
    try {
      startCoordinatorAndBob(procs, null);
      TimeUnit.SECONDS.sleep(3);
      System.out.printf(Locale.ROOT, "%nNAT lab, two cone NATs, no delay: RTT and throughput by path%n");
      pathProbe("udp-open", 7792);
      run("bash", "cluster/natlab.sh", "blockudp", "p2plab-nata", "p2plab-natb");
      TimeUnit.SECONDS.sleep(16);
      pathProbe("udp-blocked", 7793);
      run("bash", "cluster/natlab.sh", "unblockudp", "p2plab-nata", "p2plab-natb");
      TimeUnit.SECONDS.sleep(6); // bob's UDP registration is back
      pathProbe("udp-open", 7794); // again, both JVMs warm: the first run paid for JIT compilation
    } finally {
      procs.forEach(Process::destroyForcibly);
      run("bash", "cluster/natlab.sh", "down");
    }
    System.exit(0);
  }

  /**
   * Runs {@link ConnectProbe} in alice's namespace (its nodes on ports {@code basePort + i}) and
   * prints its trials; returns the times to delivery and the round trips (ms).
   */
  private static List<List<Double>> connectTrials(int trials, String label, int basePort) throws Exception {
    List<String> cmd = NodeProcess.javaBenchIn("p2plab-alice", ConnectProbe.class.getName());
    cmd.addAll(List.of(String.valueOf(trials), "203.0.113.100:7700", "bob", String.valueOf(basePort)));
    Process probe = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<Double> delivered = new ArrayList<>();
    List<Double> roundTrip = new ArrayList<>();
    Pattern trial = Pattern.compile("TRIAL (\\d+) deliveredMs=([\\d.]+) roundTripMs=([\\d.]+) path=(\\S+)");
    try (BufferedReader r = new BufferedReader(new InputStreamReader(probe.getInputStream()))) {
      String line;
      while ((line = r.readLine()) != null) {
        Matcher m = trial.matcher(line);
        if (!m.find()) continue;
        System.out.println((label.isEmpty() ? "" : label + " ") + line);
        delivered.add(Double.parseDouble(m.group(2)));
        roundTrip.add(Double.parseDouble(m.group(3)));
      }
    }
    probe.waitFor(120, TimeUnit.SECONDS);
    if (delivered.isEmpty()) throw new IllegalStateException("no " + label + " trial completed");
    return List.of(delivered, roundTrip);
  }

  private static void pathProbe(String label, int port) throws Exception {
    probeInAlice(PathProbe.class, "203.0.113.100:7700", label, String.valueOf(port));
  }

  /** Runs {@code probe} in alice's namespace and prints its {@code RESULT} lines (and any exception). */
  private static void probeInAlice(Class<?> probeClass, String... args) throws Exception {
    List<String> cmd = NodeProcess.javaBenchIn("p2plab-alice", probeClass.getName());
    cmd.addAll(List.of(args));
    Process probe = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(probe.getInputStream()))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) System.out.println(line.substring(7));
        else if (line.contains("Exception")) System.out.println("probe: " + line);
      }
    }
    probe.waitFor(300, TimeUnit.SECONDS);
  }

  /**
   * The coordinator (a plain node) and bob ({@link BenchPeer}, with its measuring consumers), in
   * their namespaces; bob's raw server punches towards {@code rawPunch} if it is not null.
   */
  private static void startCoordinatorAndBob(List<Process> procs, String rawPunch) throws Exception {
    procs.add(node("p2plab-coord", "io.p2pnode.Main", new JsonObject().put("peerId", "coord")
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700)).put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)), List.of()));
    procs.add(node("p2plab-bob", BenchPeer.class.getName(), new JsonObject().put("peerId", "bob")
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("203.0.113.100:7700")).put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)),
      rawPunch == null ? List.of() : List.of(rawPunch)));
  }

  private static void row(String name, double measured, double bound) {
    System.out.printf(Locale.ROOT, "%-40s %10.1f %12.1f %8.2f%n", name, measured, bound, measured / bound);
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static Process node(String netns, String mainClass, JsonObject config, List<String> more) throws Exception {
    Path f = Files.createTempFile("p2p-bench-", ".json");
    Files.writeString(f, config.encode());
    f.toFile().deleteOnExit();
    List<String> cmd = NodeProcess.javaBenchIn(netns, mainClass);
    cmd.addAll(List.of("--conf", f.toString()));
    cmd.addAll(more);
    return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("failed: " + String.join(" ", cmd));
  }
}
