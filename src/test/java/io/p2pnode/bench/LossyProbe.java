package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside alice's namespace of the lossy lab ({@link LossyBench}), against {@link BenchPeer} as
 * bob: confirmed reliable throughput of 1 KB and/or 64 KB messages with one congestion controller,
 * then the session's RTT under that load and its controller's state. Prints {@code RESULT} lines:
 * {@code RESULT rate LABEL SIZE MBps}, {@code RESULT window LABEL SIZE fromEpochMs toEpochMs} (the
 * wall-clock span the rate was measured over, so a competing flow can be measured over the same span),
 * {@code RESULT rtt LABEL srttMs minRttMs} (srtt: the mean of the session's smoothed RTT sampled every
 * 100 ms of the measured part), {@code RESULT transport JSON}.
 *
 * <p>Arguments: coordinator {@code host:port}, controller ({@code bbr}/{@code newreno}), local port,
 * label, seconds, sizes...
 */
public final class LossyProbe {
  /**
   * With {@code LOSSY_COLD} set, each figure is measured once, on JVMs that just started. By
   * default it is measured twice and the second run counts: a node lives long, and in a fresh
   * JVM the JIT compilers took more CPU than the event loops for the first ten seconds (profiled:
   * 5.3 s of C2 against 3.6 s of event loop in a 12 s probe), on two cores shared with the peer
   * and the lab's delayer. The first run's figure is printed as the cold one.
   */
  private static final boolean COLD_ONLY = System.getenv("LOSSY_COLD") != null;

  private LossyProbe() {
  }

  public static void main(String[] args) throws Exception {
    String congestion = args[1];
    int port = Integer.parseInt(args[2]);
    String label = args[3];
    long seconds = Long.parseLong(args[4]);
    P2pNode node = LabPeer.start(label, port, args[0], new JsonObject().put("connectTimeoutMs", 20_000)
      .put("congestion", congestion), false);
    P2pClient api = P2pClient.create(node.vertx());
    LabPeer.awaitRegistered(node, api);
    LabPeer.connectEventually(node, api, "bob");
    P2pMeasure p2p = new P2pMeasure(node.vertx(), "bob");
    for (int i = 5; i < args.length; i++) {
      int size = Integer.parseInt(args[i]);
      // 64 KB: 256 in flight (16 MiB, the data-plane benchmark's window and the 16 MB socket buffers
      // iperf3's TCP gets here): a lost datagram holds back the confirmations of every later message
      // for a round trip or more, as it holds back TCP's receive window
      int window = size > 10_000 ? 256 : 4_096;
      if (!COLD_ONLY) { // the same run once first, on fresh JVMs: their figure is the cold one
        double cold = p2p.sendRate(size, window, true, TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(seconds));
        System.out.printf(Locale.ROOT, "RESULT cold %s %d %.2f%n", label, size, cold * size / 1e6);
      }
      JsonObject before = transport(api);
      long t0 = System.nanoTime();
      if (System.getenv("LOSSY_TRACE") != null) trace(node, api, p2p, size, t0, seconds + 2);
      double[] rtt = new double[2]; // the session's smoothed RTT every 100 ms of the measured part: sum, count
      long rttTimer = node.vertx().setPeriodic(2_000, 100, id -> api.peers().onSuccess(p -> {
        double r = p.getJsonArray("peers").getJsonObject(0).getDouble("rttMs", -1.0);
        if (r > 0) {
          rtt[0] += r;
          rtt[1]++;
        }
      }));
      long from = System.currentTimeMillis() + 2_000; // sendRate measures after 2 s of warm-up
      double msgs = p2p.sendRate(size, window, true, TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(seconds));
      node.vertx().cancelTimer(rttTimer);
      System.out.printf(Locale.ROOT, "RESULT rate %s %d %.2f%n", label, size, msgs * size / 1e6);
      System.out.printf(Locale.ROOT, "RESULT window %s %d %d %d%n", label, size, from, from + seconds * 1_000L);
      JsonObject after = transport(api);
      System.out.printf(Locale.ROOT, "RESULT delivered %s %d %.2f MB/s at the transport, %.2f MB/s lost%n", label, size,
        (after.getLong("deliveredBytes") - before.getLong("deliveredBytes")) * 1e3 / (System.nanoTime() - t0),
        (after.getLong("lostBytes") - before.getLong("lostBytes")) * 1e3 / (System.nanoTime() - t0));
      {
        JsonObject peer = LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0);
        JsonObject t = peer.getJsonObject("transport");
        JsonObject cc = t.getJsonObject("congestion", new JsonObject());
        System.out.printf(Locale.ROOT, "RESULT rtt %s %.1f %.1f%n", label, rtt[1] == 0 ? -1.0 : rtt[0] / rtt[1],
          cc.getDouble("minRttMs", -1.0));
        System.out.println("RESULT transport " + t.encode());
      }
    }
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  /**
   * With {@code LOSSY_TRACE} set: every 100 ms for {@code seconds}, a {@code RESULT trace} line with
   * the controller's state and model and the transport's counters, and one with the rate bob's sink
   * counted messages of {@code size} bytes at (for looking into a figure).
   */
  private static void trace(P2pNode node, P2pClient api, P2pMeasure p2p, int size, long t0, long seconds) {
    long[] last = {0, 0, -1};
    node.vertx().setPeriodic(100, id -> {
      if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(seconds)) {
        node.vertx().cancelTimer(id);
        return;
      }
      // what bob's sink counted: the messages delivered there, against what the transport delivered
      node.vertx().eventBus().request(io.p2pnode.bus.Addresses.REQUEST, "?", p2p.to(BenchPeer.COUNT)).onSuccess(m -> {
        long sunk = Long.parseLong(m.body().toString());
        if (last[2] >= 0) System.out.printf(Locale.ROOT, "RESULT trace t=%.1f sunk=%.2fMB/s%n", (System.nanoTime() - t0) / 1e9,
          (sunk - last[2]) * size / 1e5);
        last[2] = sunk;
      });
      api.peers().onSuccess(p -> {
        JsonObject t = p.getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
        JsonObject cc = t.getJsonObject("congestion", new JsonObject());
        long d = t.getLong("deliveredBytes");
        long l = t.getLong("lostBytes");
        System.out.printf(Locale.ROOT, "RESULT trace t=%.1f %s delivered=%.2fMB/s lost=%dKB cwnd=%dK inflight=%dK pacing=%.2f bw=%.2f"
            + " minRtt=%.1f rtt=%.1f hi=%dK lossRate=%.4f queued=%d awaiting=%d%n", (System.nanoTime() - t0) / 1e9,
          cc.getString("phase", cc.getString("state")), (d - last[0]) / 1e5, (l - last[1]) / 1000, t.getLong("cwndBytes") / 1000,
          t.getLong("bytesInFlight") / 1000, cc.getLong("pacingRateBytesPerSec", 0L) / 1e6, cc.getLong("bandwidthBytesPerSec", 0L) / 1e6,
          cc.getDouble("minRttMs", -1.0), p.getJsonArray("peers").getJsonObject(0).getDouble("rttMs", -1.0),
          cc.getLong("inflightLongtermBytes", -1L) / 1000, cc.getDouble("lossRate", 0.0), t.getInteger("queuedMessages"),
          t.getInteger("awaitingResult"));
        last[0] = d;
        last[1] = l;
      });
    });
  }

  private static JsonObject transport(P2pClient api) throws Exception {
    return LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
  }
}
