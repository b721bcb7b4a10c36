package io.p2pnode.bench;

import io.p2pnode.cluster.ClusterProcesses;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * p2p-node against raw Netty epoll UDP and the Vert.x clustered event bus, on loopback, measured
 * in one run: for each system a driver process ({@link BenchDriver}) against a peer process
 * ({@link BenchPeer}), pinned one core each ({@code taskset -c 0} / {@code -c 1}) and unpinned;
 * throughput with 256 and 4 096 messages in flight and request/reply RTT p50/p99, for 64 B, 1 KB
 * and 64 KB. Prints the table and the ratios p2p/event bus and p2p/raw, then allocation per
 * message, the body copies that allocation implies, lost sends and retransmissions. A
 * measurement that fails (a crash, a stall) is reported as failed and the rest run on a fresh
 * pair of processes. Run with {@code bash bench/run.sh [options]}:
 *
 * <pre>
 * --json                 print one JSON object per figure on stdout (DESIGN §5), the tables on stderr
 * --systems a,b          netty-udp, vertx-eb, p2p-node (or raw, eb, p2p); default all three
 * --sizes 64,1024,65536  message sizes in bytes
 * --windows 256,4096     messages in flight for throughput
 * --pin both             pinned, unpinned or both
 * --seconds 3            measured seconds per throughput figure (plus a third of it to warm up; before the
 *                        first figure of each process pair every figure runs once unmeasured, about 2 s each)
 * --fileMiB 1024         a file of this size sent file to file through a byte stream, twice per figure (p2p-node; 0: none)
 * --quick                --seconds 1, 256 in flight only and a 64 MiB file
 * --no-udp-offload       the processes run with -Dp2p.udpOffload=false (no GSO, GRO, recvmmsg)
 * </pre>
 */
public final class Benchmark {
  static final List<String> SYSTEMS = List.of(BenchDriver.RAW, BenchDriver.EB, BenchDriver.P2P);
  /** A driver that prints nothing for this long is stopped and its measurement counted as failed. */
  static final long SILENCE_SECONDS = 180;
  static final Path LOGS = Path.of("target", "bench-logs");

  private final List<String> systems;
  private final List<Integer> sizes;
  private final List<Integer> windows;
  private final List<Boolean> pins;
  private final double seconds;
  /** MiB of the file piped through a byte stream (p2p-node only); 0: none. */
  private final int fileMiB;
  private final boolean json;
  private final boolean udpOffload;
  private final PrintStream out;
  private final List<Figure> figures = new ArrayList<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private int pairs;
  /** The specs the running pair has yet to measure. */
  private List<String> specsLeft = List.of();

  private Benchmark(Map<String, String> o) {
    boolean quick = o.containsKey("quick");
    systems = Arrays.stream(o.getOrDefault("systems", String.join(",", SYSTEMS)).split(",")).map(Benchmark::system).toList();
    sizes = Arrays.stream(o.getOrDefault("sizes", "64,1024,65536").split(",")).map(Integer::valueOf).toList();
    windows = Arrays.stream(o.getOrDefault("windows", quick ? "256" : "256,4096").split(",")).map(Integer::valueOf).toList();
    String pin = o.getOrDefault("pin", "both");
    pins = switch (pin) {
      case "both" -> List.of(true, false);
      case "pinned" -> List.of(true);
      case "unpinned" -> List.of(false);
      default -> throw new IllegalArgumentException("--pin: both, pinned or unpinned, not " + pin);
    };
    seconds = Double.parseDouble(o.getOrDefault("seconds", quick ? "1" : "3"));
    fileMiB = Integer.parseInt(o.getOrDefault("fileMiB", quick ? "64" : "1024"));
    json = o.containsKey("json");
    udpOffload = !o.containsKey("no-udp-offload");
    out = json ? System.err : System.out;
  }

  private static String system(String s) {
    return switch (s) {
      case "raw", BenchDriver.RAW -> BenchDriver.RAW;
      case "eb", BenchDriver.EB -> BenchDriver.EB;
      case "p2p", BenchDriver.P2P -> BenchDriver.P2P;
      default -> throw new IllegalArgumentException("--systems: netty-udp, vertx-eb, p2p-node (or raw, eb, p2p), not " + s);
    };
  }

  /** Largest heap of every measured process: 4 096 in flight of 64 KB is 256 MiB held by each side. */
  private static final String HEAP = "2g";

  /**
   * MB/s at which this process gets memory it never touched (a fresh 256 MiB direct buffer, which
   * the JVM zeroes). On a VM that returns freed pages to its host (virtio-balloon free page
   * reporting) this is far below memory bandwidth, and it bounds anything that needs new pages:
   * a growing heap, a file written into the page cache.
   */
  static double firstTouchMBs() {
    int bytes = 256 << 20;
    long t0 = System.nanoTime();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(bytes);
    double mbs = bytes / ((System.nanoTime() - t0) / 1e9) / 1e6;
    b.put(0, (byte) 1); // keeps it reachable until measured
    return mbs;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unknown argument " + args[i] + " (see Benchmark's Javadoc)");
      String key = args[i].substring(2);
      boolean flag = key.equals("json") || key.equals("quick") || key.equals("no-udp-offload");
      o.put(key, flag ? "" : args[++i]);
    }
    new Benchmark(o).run();
    System.exit(0);
  }

  private void run() throws Exception {
    Files.createDirectories(LOGS);
    out.printf("p2p-node benchmark: loopback, %d cores, %s %s, load average %s; UDP offload %s; logs in %s%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
      Files.readString(Path.of("/proc/loadavg")).trim(), udpOffload ? io.p2pnode.transport.UdpOffload.CURRENT.toJson().encode() : "off",
      LOGS);
    out.printf("event loops of p2p-node and vertx-eb (both on the node's Vert.x factory) busy-poll %d µs after work (busyPollMicros);"
      + " netty-udp's block, and \"raw busy-poll, paired\" is Netty whose loops poll alike%n", NodeOptions.DEFAULT_BUSY_POLL_MICROS);
    out.printf(Locale.ROOT, "memory touched for the first time: %.0f MB/s on this machine (what a growing heap and a file's new"
      + " page-cache pages cost here)%n", firstTouchMBs());
    for (boolean pinned : pins) {
      for (String system : systems) {
        measure(system, pinned);
      }
    }
    new BenchReport(figures, sizes, windows, out).print(pins);
    if (!failures.isEmpty()) {
      out.println();
      out.println("failed measurements:");
      failures.forEach((k, v) -> out.println("  " + k + ": " + v));
    }
    if (json) {
      figures.stream().filter(Figure::contract).forEach(f -> System.out.println(f.toJson().encode()));
    }
  }

  /** The measurements for {@code system}: RTT per size, then throughput per size and window (the largest windows last). */
  private List<String> specs(String system) {
    List<String> specs = new ArrayList<>();
    sizes.forEach(s -> specs.add("rtt:" + s));
    if (system.equals(BenchDriver.RAW)) {
      sizes.forEach(s -> specs.add("tput:" + s));
    } else {
      windows.stream().sorted().forEach(w -> sizes.forEach(s -> specs.add("tput:" + s + ":" + w)));
    }
    if (system.equals(BenchDriver.P2P) && fileMiB > 0) specs.add("file:" + fileMiB + ":" + windows.get(0)); // the window of the p2p.send stretches it alternates with
    return specs;
  }

  /** Runs {@code system}'s measurements on pairs of processes until each has a figure or failed. */
  private void measure(String system, boolean pinned) throws Exception {
    List<String> left = new ArrayList<>(specs(system));
    out.printf("%s, %s: %s%n", system, pinned ? "pinned" : "unpinned", String.join(" ", left));
    while (!left.isEmpty()) {
      try {
        String spec = runPair(system, pinned, left);
        if (spec != null) left.remove(spec);
      } catch (Exception e) { // the peer did not start: nothing of this system can be measured
        specsLeft = left;
        fail(system, pinned, null, String.valueOf(e.getMessage()));
      }
    }
  }

  /**
   * Starts a peer and a driver for {@code specs}; removes the specs that got figures from it.
   *
   * @return the spec that failed, if one did (then the driver has stopped)
   */
  private String runPair(String system, boolean pinned, List<String> specs) throws Exception {
    int n = ++pairs;
    String name = system + "-" + (pinned ? "pinned" : "unpinned") + "-" + n;
    List<String> peerArgs = switch (system) {
      case BenchDriver.RAW -> List.of("raw");
      case BenchDriver.EB -> List.of("eb", ClusterProcesses.localConfigNamed("p2p-eb-bench-" + ProcessHandle.current().pid() + "-" + n));
      default -> List.of("p2p");
    };
    Process peer = start(pinned ? "1" : null, BenchPeer.class, peerArgs, LOGS.resolve(name + "-peer.log"), true);
    try {
      String ready = awaitPeer(peer, LOGS.resolve(name + "-peer.log"));
      List<String> driverArgs = new ArrayList<>(List.of(system, ready, String.valueOf(pinned), String.valueOf(seconds)));
      driverArgs.addAll(specs);
      Process driver = start(pinned ? "0" : null, BenchDriver.class, driverArgs, LOGS.resolve(name + "-driver.log"), false);
      try {
        return follow(system, pinned, driver, specs, LOGS.resolve(name + "-driver.log"));
      } finally {
        driver.destroyForcibly();
      }
    } finally {
      peer.getOutputStream().close();
      if (!peer.waitFor(15, TimeUnit.SECONDS)) peer.destroyForcibly();
    }
  }

  /** Reads the driver's lines; returns the failed spec, or null when all ran. */
  private String follow(String system, boolean pinned, Process driver, List<String> specs, Path log) throws Exception {
    specsLeft = specs;
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
           PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
             java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND))) {
        for (String l; (l = r.readLine()) != null; ) {
          w.println(l);
          w.flush();
          lines.add(l);
        }
      } catch (IOException e) {
        // the driver went away: the end marker below tells
      }
      lines.add("\u0000END");
    }, "bench-driver-reader");
    reader.setDaemon(true);
    reader.start();
    String running = null;
    while (true) {
      String line = lines.poll(SILENCE_SECONDS, TimeUnit.SECONDS);
      if (line == null) return fail(system, pinned, running, "driver printed nothing for " + SILENCE_SECONDS + " s (stopped)");
      if (line.equals("\u0000END")) {
        if (running != null) specs.remove(running);
        return running == null || driver.waitFor() == 0 ? null
          : fail(system, pinned, running, "driver exited with status " + driver.exitValue() + " (see " + log + ")");
      }
      if (line.startsWith("RUNNING ")) {
        if (running != null) specs.remove(running);
        running = line.substring(8);
        out.printf("  %s %s ...%n", system, running);
      } else if (line.startsWith("WARMING UP ")) {
        out.printf("  %s warming up (%s s per figure, not measured) ...%n", system, BenchDriver.WARMUP_SECONDS_PER_SPEC);
      } else if (line.startsWith("FIGURE ")) {
        Figure f = Figure.fromJson(new JsonObject(line.substring(7)));
        figures.add(f);
      } else if (line.startsWith("FAILED ")) {
        String[] p = line.substring(7).split(" ", 2);
        running = null;
        return fail(system, pinned, p[0], p.length > 1 ? p[1] : "?");
      }
    }
  }

  /** Records {@code spec}'s contract figures as failed with {@code why}; returns the spec. */
  private String fail(String system, boolean pinned, String spec, String why) {
    if (spec == null) { // nothing measured yet (no connection, no cluster): the rest fails alike
      for (String s : List.copyOf(specsLeft)) fail(system, pinned, s, "before measuring: " + why);
      specsLeft.clear();
      return null;
    }
    String[] p = spec.split(":");
    int size = Integer.parseInt(p[1]);
    failures.put(system + (pinned ? " pinned " : " unpinned ") + spec, why);
    out.printf("  %s %s FAILED: %s%n", system, spec, why);
    if (p[0].equals("rtt")) {
      figures.add(Figure.failed(system, Figure.RTT_P50, size, 1, pinned, "us", why));
      figures.add(Figure.failed(system, Figure.RTT_P99, size, 1, pinned, "us", why));
    } else {
      figures.add(Figure.failed(system, Figure.THROUGHPUT, size, p.length > 2 ? Integer.valueOf(p[2]) : null, pinned, "msg/s", why));
    }
    return spec;
  }

  /** A JVM running {@code main} with our class path, on {@code core} when given; output to {@code log}. */
  private Process start(String core, Class<?> main, List<String> args, Path log, boolean peer) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (core != null) cmd.addAll(List.of("taskset", "-c", core));
    // the JVM's own heap sizing, as a user gets it: a fixed, pre-touched 2 GiB heap measured
    // 40-60 % less for 64 KB sends (allocation then walks a young generation far larger than the caches)
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + HEAP,
      "-Dp2p.udpOffload=" + udpOffload));
    String extra = System.getenv("BENCH_JVM_OPTS"); // e.g. a flight recording: -XX:StartFlightRecording=...
    if (extra != null && !extra.isBlank()) cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Files.deleteIfExists(log);
    if (peer) pb.redirectErrorStream(true);
    return pb.start();
  }

  /** What the peer printed after {@code BENCH-PEER}; its other output goes to {@code log}. */
  private static String awaitPeer(Process peer, Path log) throws Exception {
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
           PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          w.println(l);
          w.flush();
          if (l.startsWith("BENCH-PEER ")) ready.complete(l.substring(11));
        }
      } catch (IOException e) {
        // the peer went away
      }
      ready.completeExceptionally(new IllegalStateException("the bench peer exited before it was ready; see " + log));
    }, "bench-peer-reader");
    t.setDaemon(true);
    t.start();
    return ready.get(120, TimeUnit.SECONDS);
  }
}
