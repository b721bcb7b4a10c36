package io.p2pnode.cluster;

import io.p2pnode.NodeProcess;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.cli.BridgeClient;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Clustered coordinators as separate JVM processes on loopback, each a plain node with
 * {@code cluster.enabled}, its bridge open for {@code p2p.status}. Closing kills what is left.
 */
public final class ClusterProcesses implements AutoCloseable {
  /** One coordinator process: its id, UDP endpoint and bridge port. */
  public record Coordinator(String id, NodeProcess process, InetSocketAddress udp, int bridgePort) {
    /** {@code p2p.status} through the bridge. */
    public JsonObject status() throws Exception {
      try (BridgeClient c = new BridgeClient(new InetSocketAddress("127.0.0.1", bridgePort), 5_000)) {
        return c.request(Addresses.STATUS, null, new JsonObject(), 10_000).getJsonObject("body");
      }
    }

    public String rendezvous() {
      return "127.0.0.1:" + udp.getPort();
    }
  }

  public final List<Coordinator> coordinators = new ArrayList<>();

  /** Starts coordinator {@code id} with the Hazelcast config at {@code hazelcastConfig}; waits for its ready line. */
  public Coordinator start(String id, String hazelcastConfig) throws Exception {
    return start(id, hazelcastConfig, new JsonObject());
  }

  /** As {@link #start(String, String)}, with {@code extra} top-level config sections merged in. */
  public Coordinator start(String id, String hazelcastConfig, JsonObject extra) throws Exception {
    int bridge = TestNodes.freeTcpPort();
    JsonObject config = new JsonObject().put("peerId", id)
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", TestNodes.freeUdpPort()).put("instances", 1))
      .put("bridge", new JsonObject().put("host", "127.0.0.1").put("port", bridge)).put("http", new JsonObject().put("port", 0))
      .put("cluster", new JsonObject().put("enabled", true).put("config", hazelcastConfig));
    config.mergeIn(extra, true);
    NodeProcess p = NodeProcess.startWithConfig(config);
    try {
      var ready = p.awaitReady();
      String udp = ready.group(2);
      Coordinator c = new Coordinator(id, p, new InetSocketAddress("127.0.0.1", Integer.parseInt(udp.substring(udp.lastIndexOf(':') + 1))),
        bridge);
      coordinators.add(c);
      return c;
    } catch (Exception e) {
      p.close();
      throw new AssertionError("coordinator " + id + " did not start:\n" + p.output(), e);
    }
  }

  /** Polls {@code c}'s status every 100 ms until {@code ok}; fails after {@code seconds}. */
  public static JsonObject awaitStatus(Coordinator c, Predicate<JsonObject> ok, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = c.status();
      if (ok.test(last)) return last;
      TimeUnit.MILLISECONDS.sleep(100); // polling a separate process: nothing to wait on
    }
    throw new AssertionError(c.id() + ": " + what + " not reached in " + seconds + " s; last status " + last);
  }

  public static int members(JsonObject status) {
    return status.getJsonObject("cluster").getInteger("members");
  }

  /**
   * A copy of {@code cluster/hazelcast-local.xml} for member {@code index} (1-based) of a cluster
   * named {@code name}: fixed port {@code basePort + index}, outbound connections from ports
   * {@code outboundBase + 100 * index ..+99}, the members listed explicitly, so that firewall
   * rules can cut one member off by its ports.
   */
  public static String memberConfig(String name, int index, int members, int basePort, int outboundBase) throws Exception {
    StringBuilder list = new StringBuilder();
    for (int i = 1; i <= members; i++) list.append("<member>127.0.0.1:").append(basePort + i).append("</member>");
    int out = outboundBase + 100 * index;
    return localConfig(name, xml -> xml
      .replaceFirst("<port auto-increment=\"true\" port-count=\"20\">5701</port>",
        "<port auto-increment=\"false\">" + (basePort + index) + "</port><outbound-ports><ports>" + out + "-" + (out + 99)
          + "</ports></outbound-ports>")
      .replaceFirst("<member>127.0.0.1</member>", list.toString()));
  }

  /**
   * A copy of {@code cluster/hazelcast-local.xml} whose cluster is named {@code name}, so that a
   * test never joins members another test (or a local cluster someone left running) started.
   */
  public static String localConfigNamed(String name) throws Exception {
    return localConfig(name, xml -> xml);
  }

  /** {@code cluster/hazelcast-local.xml} with the cluster named {@code name}, edited, in a temporary file; its path. */
  private static String localConfig(String name, java.util.function.UnaryOperator<String> edit) throws Exception {
    String xml = Files.readString(Path.of("cluster/hazelcast-local.xml"))
      .replace("<cluster-name>p2p-node-local</cluster-name>", "<cluster-name>" + name + "</cluster-name>");
    Path f = Files.createTempFile("hz-" + name + "-", ".xml");
    Files.writeString(f, edit.apply(xml));
    f.toFile().deleteOnExit();
    return f.toString();
  }

  @Override
  public void close() {
    coordinators.forEach(c -> c.process().close());
  }
}
