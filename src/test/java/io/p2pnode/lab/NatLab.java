package io.p2pnode.lab;

import io.p2pnode.NodeProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives {@code cluster/natlab.sh} and real node processes inside its namespaces: a coordinator
 * in {@code p2plab-coord} (203.0.113.100:7700), peers {@code alice} and {@code bob} in theirs. The
 * command line (inside the same namespace) talks to each node's bridge.
 */
final class NatLab implements AutoCloseable {
  static final String SCRIPT = "cluster/natlab.sh";
  static final String COORD_NS = "p2plab-coord";
  final List<NodeProcess> nodes = new ArrayList<>();

  /** Whether this machine can build the lab (root, iproute2, iptables). */
  static boolean available() {
    return "root".equals(System.getProperty("user.name")) && new File("/usr/sbin/ip").canExecute()
      && (new File("/usr/sbin/iptables").canExecute() || new File("/sbin/iptables").canExecute());
  }

  static String ns(String peer) {
    return "p2plab-" + peer;
  }

  static JsonObject peerConfig(String peerId, JsonObject extra) {
    return new JsonObject().put("peerId", peerId)
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("203.0.113.100:7700"))
      .put("bridge", new JsonObject().put("port", 7701)).put("http", new JsonObject().put("port", 0))
      .mergeIn(extra, true);
  }

  /**
   * Builds the topology, makes {@code udpBlockedRouters} drop all UDP they forward, and starts
   * coordinator, alice and bob; waits until all are ready.
   */
  void up(String scenario, JsonObject peerExtra, String... udpBlockedRouters) throws Exception {
    up(scenario, new JsonObject(), peerExtra, udpBlockedRouters);
  }

  /** As {@link #up(String, JsonObject, String...)}, with {@code coordExtra} merged into the coordinator's config. */
  void up(String scenario, JsonObject coordExtra, JsonObject peerExtra, String... udpBlockedRouters) throws Exception {
    CliResult lab = run(List.of("bash", SCRIPT, "up", scenario), 60);
    if (lab.code() != 0) throw new AssertionError("natlab.sh up " + scenario + " failed (" + lab.code() + "): " + lab.out());
    blockUdp(udpBlockedRouters);
    nodes.add(NodeProcess.startWithConfigIn(COORD_NS, coordinatorConfig("coord", 7700, false).mergeIn(coordExtra, true)));
    nodes.add(NodeProcess.startWithConfigIn(ns("alice"), peerConfig("alice", peerExtra)));
    nodes.add(NodeProcess.startWithConfigIn(ns("bob"), peerConfig("bob", peerExtra)));
    for (NodeProcess n : nodes) n.awaitReady();
  }

  /**
   * As {@link #up}, with two clustered coordinators in the coordinator's namespace (Hazelcast on
   * its loopback): c1 on 7700, where alice registers, and c2 on 7800, where bob registers.
   */
  void upClustered(String scenario, String... udpBlockedRouters) throws Exception {
    CliResult lab = run(List.of("bash", SCRIPT, "up", scenario), 60);
    if (lab.code() != 0) throw new AssertionError("natlab.sh up " + scenario + " failed (" + lab.code() + "): " + lab.out());
    blockUdp(udpBlockedRouters);
    NodeProcess c1 = NodeProcess.startWithConfigIn(COORD_NS, coordinatorConfig("c1", 7700, true));
    nodes.add(c1);
    c1.awaitReady(); // the first member forms the cluster; the second joins it
    nodes.add(NodeProcess.startWithConfigIn(COORD_NS, coordinatorConfig("c2", 7800, true)));
    nodes.add(NodeProcess.startWithConfigIn(ns("alice"), peerConfig("alice", new JsonObject())));
    nodes.add(NodeProcess.startWithConfigIn(ns("bob"), peerConfig("bob", new JsonObject()
      .put("rendezvous", new JsonArray().add("203.0.113.100:7800")))));
    for (NodeProcess n : nodes) n.awaitReady();
  }

  private static void blockUdp(String... routers) throws Exception {
    if (routers.length == 0) return;
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT, "blockudp"));
    cmd.addAll(List.of(routers));
    CliResult r = run(cmd, 60);
    if (r.code() != 0) throw new AssertionError("blockudp: " + r.out());
  }

  private static JsonObject coordinatorConfig(String id, int port, boolean clustered) {
    return new JsonObject().put("peerId", id)
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", port)).put("bridge", new JsonObject().put("port", port + 1)).put("http", new JsonObject().put("port", 0))
      .put("cluster", new JsonObject().put("enabled", clustered));
  }

  /** Runs the command line inside {@code peer}'s namespace; returns exit code and output. */
  static CliResult cli(String peer, String... args) throws Exception {
    List<String> cmd = NodeProcess.javaIn(ns(peer), "io.p2pnode.Main");
    cmd.addAll(List.of(args));
    return run(cmd, 60);
  }

  /** Waits until {@code peer} detected its NAT type (registration and probe answered); returns it. */
  static String awaitNatType(String peer) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String t;
    do {
      CliResult r = cli(peer, "status");
      t = r.code == 0 ? new JsonObject(r.out).getString("natType") : "unknown";
    } while ("unknown".equals(t) && System.nanoTime() < deadline);
    return t;
  }

  /** {@code p2p.connect} from {@code from}, retried while the target's registration is on its way (404). */
  static JsonObject connect(String from, String to) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    CliResult r;
    do {
      r = cli(from, "connect", to);
      if (r.code == 0) return new JsonObject(r.out);
    } while (r.out.contains("error 404") && System.nanoTime() < deadline);
    throw new AssertionError("connect " + from + " -> " + to + " failed: " + r.out);
  }

  /** Sends {@code text} from {@code from} to {@code to} and checks that {@code listen} on {@code to} printed it. */
  static void delivers(String from, String to, String text) throws Exception {
    try (NodeProcess listen = NodeProcess.startIn(ns(to), "listen", "--count", "1")) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      CliResult r;
      do { // 404 until the listener's registration reached the node
        r = cli(from, "send", "--to", to, text);
      } while (r.code != 0 && r.out.contains("error 404") && System.nanoTime() < deadline);
      if (r.code != 0) throw new AssertionError("send failed: " + r.out);
      if (listen.awaitExit() != 0 || !listen.output().contains("[" + from + "] " + text)) {
        throw new AssertionError("listen on " + to + " printed: " + listen.output());
      }
    }
  }

  record CliResult(int code, String out) {
  }

  static CliResult run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new CliResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws Exception {
    nodes.forEach(NodeProcess::close);
    run(List.of("bash", SCRIPT, "down"), 60);
  }
}
