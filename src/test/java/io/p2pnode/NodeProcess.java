package io.p2pnode;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A node (or CLI) in its own JVM, started from the test class path, with its output captured. */
public final class NodeProcess implements AutoCloseable {
  public static final Pattern READY = Pattern.compile("p2p-node ready peerId=(\\S+) udp=(\\S+)");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Matcher> ready = new CompletableFuture<>();
  private final Thread reader;

  private NodeProcess(List<String> prefix, List<String> args) throws IOException {
    this(prefix, args, java.util.Map.of());
  }

  private NodeProcess(List<String> prefix, List<String> args, java.util.Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(javaMain());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    process = pb.start();
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
          Matcher m = READY.matcher(line);
          if (m.find()) ready.complete(m);
        }
      } catch (IOException ignored) {
        // process gone
      }
      ready.completeExceptionally(new IllegalStateException("process ended before ready:\n" + String.join("\n", lines)));
    }, "node-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The command that runs {@code io.p2pnode.Main} from the test class path. */
  public static List<String> javaMain() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.p2pnode.Main");
  }

  /** The command that runs {@code mainClass} from the test class path inside network namespace {@code netns}. */
  public static List<String> javaIn(String netns, String mainClass) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    List<String> java = javaMain();
    cmd.addAll(java.subList(0, java.size() - 1));
    cmd.add(mainClass);
    return cmd;
  }

  /**
   * The same for a process whose speed or latency is measured: the JVM's defaults (C2 compiler, G1)
   * with a 1 GiB heap. {@link #javaIn}'s quick-start flags (C1 only, serial GC, 256 MiB) suit tests,
   * but a benchmark run with them measures the interpreter-grade crypto and the serial collector's
   * pauses (they stalled a lab path's acknowledgements for 100-200 ms at a time).
   */
  public static List<String> javaBenchIn(String netns, String mainClass) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx1g"));
    String extra = System.getenv("BENCH_JVM_OPTS"); // as in the data-plane benchmark, e.g. -Xlog:gc:file=/tmp/gc-%p.log
    if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    return cmd;
  }

  /** Starts {@code io.p2pnode.Main} with these arguments. */
  public static NodeProcess start(String... args) throws IOException {
    return new NodeProcess(List.of(), List.of(args));
  }

  /** Starts {@code io.p2pnode.Main} with these arguments and these variables added to its environment. */
  public static NodeProcess startWithEnv(java.util.Map<String, String> env, String... args) throws IOException {
    return new NodeProcess(List.of(), List.of(args), env);
  }

  /** Starts {@code io.p2pnode.Main} inside network namespace {@code netns}. */
  public static NodeProcess startIn(String netns, String... args) throws IOException {
    return new NodeProcess(List.of("ip", "netns", "exec", netns), List.of(args));
  }

  /** Writes {@code config} to a temp file and starts a node on it inside {@code netns}. */
  public static NodeProcess startWithConfigIn(String netns, JsonObject config) throws IOException {
    Path f = Files.createTempFile("p2p-node-", ".json");
    Files.writeString(f, config.encodePrettily());
    f.toFile().deleteOnExit();
    return startIn(netns, "--conf", f.toString());
  }

  /** Writes {@code config} to a temp file and starts a node on it. */
  public static NodeProcess startWithConfig(JsonObject config) throws IOException {
    Path f = Files.createTempFile("p2p-node-", ".json");
    Files.writeString(f, config.encodePrettily());
    f.toFile().deleteOnExit();
    return start("--conf", f.toString());
  }

  /** Waits for the ready line; returns its match (group 1 peer id, group 2 udp address). */
  public Matcher awaitReady() throws Exception {
    return ready.get(60, TimeUnit.SECONDS);
  }

  /** Waits for exit; returns the exit code. */
  public int awaitExit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("process did not exit:\n" + output());
    reader.join(10_000);
    return process.exitValue();
  }

  /** SIGTERM. ({@code Process.destroy} would also close our end of the output pipe and lose the last lines.) */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL. */
  public void kill() {
    process.destroyForcibly();
  }

  /** The process id (of the JVM: {@code ip netns exec} execs it). */
  public long pid() {
    return process.pid();
  }

  public String output() {
    return String.join("\n", lines);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
