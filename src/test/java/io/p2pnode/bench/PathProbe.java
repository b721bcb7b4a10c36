package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside alice's namespace of the NAT lab against {@link BenchPeer} as bob: connects, then
 * measures request/reply RTT (p50/p99) and confirmed throughput for 64 B and 1 KB messages on
 * whatever path the session ended on. Prints {@code RESULT <label> ...} lines; the caller runs it
 * once with UDP open and once with UDP blocked to compare {@code direct} with {@code direct-tcp}.
 *
 * <p>Arguments: coordinator {@code host:port}, label, node port.
 */
public final class PathProbe {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private PathProbe() {
  }

  public static void main(String[] args) throws Exception {
    String label = args[1];
    P2pNode node = LabPeer.start("path-" + label, Integer.parseInt(args[2]), args[0], new JsonObject());
    P2pClient api = P2pClient.create(node.vertx());
    LabPeer.awaitRegistered(node, api);
    JsonObject c = LabPeer.await(api.connect("bob"));
    P2pMeasure p2p = new P2pMeasure(node.vertx(), "bob");
    for (int size : new int[] {64, 1000}) {
      p2p.requestRtt(size, 200, 200); // warm-up
      RawUdp.Rtt rtt = p2p.requestRtt(size, 10, 2_000);
      double rate = p2p.sendRate(size, 512, true, SECOND, 3 * SECOND);
      System.out.printf(Locale.ROOT, "RESULT %-10s %-10s %5d B: RTT p50 %7.1f us, p99 %7.1f us, confirmed %8.0f msg/s%n",
        label, c.getString("path"), size, rtt.p50Micros(), rtt.p99Micros(), rate);
    }
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
