package io.p2pnode.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.p2pnode.TestNodes;
import io.p2pnode.registry.HazelcastRegistry;
import io.p2pnode.registry.PeerRecord;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Split and merge of three clustered coordinator processes: a firewall rule (iptables on
 * loopback, by the ports of one member) cuts c3 off; each side then takes a newer registration
 * of one peer; after the rule goes, the cluster merges and the registry holds, for each peer,
 * the newest registration, whichever side it came from. Needs root (iptables): tagged "lab".
 */
@Tag("lab")
class SplitBrainTest {
  static final int BASE_PORT = 5820;
  /** Below the kernel's ephemeral range (32768-60999): no other connection of this machine can come from c3's ports. */
  static final int OUTBOUND_BASE = 25000;
  /** c3's Hazelcast ports: its member port and its outbound range. */
  static final List<String> CUT_C3 = List.of("-p", "tcp", "-m", "multiport", "--ports",
    (BASE_PORT + 3) + "," + (OUTBOUND_BASE + 300) + ":" + (OUTBOUND_BASE + 399), "-j", "DROP");

  @Test
  void newestRegistrationWinsWhenAPartitionHeals() throws Exception {
    String name = "p2p-split-" + ProcessHandle.current().pid();
    JsonObject longTtl = new JsonObject().put("coordinator", new JsonObject().put("registrationTtlMs", 300_000));
    try (ClusterProcesses cluster = new ClusterProcesses()) {
      var c1 = cluster.start("c1", ClusterProcesses.memberConfig(name, 1, 3, BASE_PORT, OUTBOUND_BASE), longTtl);
      var c2 = cluster.start("c2", ClusterProcesses.memberConfig(name, 2, 3, BASE_PORT, OUTBOUND_BASE), longTtl);
      var c3 = cluster.start("c3", ClusterProcesses.memberConfig(name, 3, 3, BASE_PORT, OUTBOUND_BASE), longTtl);
      ClusterProcesses.awaitStatus(c1, s -> ClusterProcesses.members(s) == 3, 60, "three members");

      // before the split: x registered at c1, y at c3
      TestNodes.registerGhost(c1.udp(), "x");
      TestNodes.registerGhost(c3.udp(), "y");
      ClientConfig cc = new ClientConfig().setClusterName(name);
      cc.getNetworkConfig().addAddress("127.0.0.1:" + (BASE_PORT + 1), "127.0.0.1:" + (BASE_PORT + 2));
      HazelcastInstance client = HazelcastClient.newHazelcastClient(cc);
      try {
        IMap<String, String> map = client.getMap(HazelcastRegistry.MAP);
        awaitRecords(map, r -> r[0] != null && r[1] != null, "x and y shared");

        iptables("-I", CUT_C3);
        try {
          ClusterProcesses.awaitStatus(c3, s -> ClusterProcesses.members(s) == 1, 60, "c3 cut off");
          ClusterProcesses.awaitStatus(c1, s -> ClusterProcesses.members(s) == 2, 60, "c1 and c2 without c3");
          TimeUnit.MILLISECONDS.sleep(20); // registrations below must be strictly newer (wall-clock ms)
          // during the split: each side gets a newer registration of one of them
          int xPort = TestNodes.registerGhost(c3.udp(), "x");
          int yPort = TestNodes.registerGhost(c1.udp(), "y");
          iptables("-D", CUT_C3);
          ClusterProcesses.awaitStatus(c1, s -> ClusterProcesses.members(s) == 3, 90, "the cluster merged");
          PeerRecord[] merged = awaitRecords(map, r -> r[0] != null && r[0].observed().getPort() == xPort
            && r[1] != null && r[1].observed().getPort() == yPort, "newest registrations after the merge");
          assertEquals("c3", merged[0].owner(), "x: the minority's newer registration won");
          assertEquals("c1", merged[1].owner(), "y: the majority's newer registration stayed");
        } finally {
          iptables("-D", CUT_C3); // harmless if already gone
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static PeerRecord[] awaitRecords(IMap<String, String> map, java.util.function.Predicate<PeerRecord[]> ok, String what)
    throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    PeerRecord[] r = null;
    while (System.nanoTime() < deadline) {
      r = new PeerRecord[] {read(map, "x"), read(map, "y")};
      if (ok.test(r)) return r;
      TimeUnit.MILLISECONDS.sleep(200); // polling another cluster's state
    }
    throw new AssertionError(what + " not reached; x=" + r[0] + " y=" + r[1]);
  }

  private static PeerRecord read(IMap<String, String> map, String peer) {
    try {
      String json = map.get(peer);
      return json == null ? null : PeerRecord.fromJson(new JsonObject(json));
    } catch (RuntimeException e) {
      return null; // the client is between members
    }
  }

  private static void iptables(String op, List<String> rule) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("iptables", op, "INPUT", "-i", "lo"));
    cmd.addAll(rule);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.waitFor(20, TimeUnit.SECONDS);
  }
}
