package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside alice's namespace of an impaired NAT lab, against {@link BenchPeer} as bob: for
 * 64 B, 1 KB and 64 KB messages, reliable request/reply RTT (p50/p99) and confirmed throughput;
 * for 64 B and 1 KB, unreliable ping-pong RTT and delivered rate, and the same for raw UDP
 * through the same NATs (hole-punched from port {@link BenchPeer#LAB_RAW_PORT} on both sides).
 * Prints one {@code RESULT} line per figure.
 *
 * <p>Arguments: coordinator {@code host:port}, bob's public raw endpoint {@code host:port}.
 */
public final class ImpairedProbe {
  private static final long SECONDS = TimeUnit.SECONDS.toNanos(5);
  private static final long LOSS_TIMEOUT_MS = 500;

  private ImpairedProbe() {
  }

  public static void main(String[] args) throws Exception {
    InetSocketAddress bobRaw = io.p2pnode.config.Endpoints.parse("bobRaw", args[1]);
    try (RawUdp raw = RawUdp.client(new InetSocketAddress("0.0.0.0", BenchPeer.LAB_RAW_PORT))) {
      raw.punch(bobRaw, 5);
      P2pNode node = LabPeer.start("impaired", 7791, args[0], new JsonObject().put("connectTimeoutMs", 20_000));
      P2pClient api = P2pClient.create(node.vertx());
      LabPeer.connectEventually(node, api, "bob");
      P2pMeasure p2p = new P2pMeasure(node.vertx(), "bob");
      for (int size : new int[] {64, 1000, 64 * 1024}) {
        boolean big = size > 10_000;
        RawUdp.Rtt rtt = p2p.requestRtt(size, 10, big ? 100 : 500);
        double rate = p2p.sendRate(size, big ? 32 : 512, true, SECONDS / 5, SECONDS);
        System.out.printf(Locale.ROOT, "RESULT %5d B reliable:   RTT p50 %6.1f ms, p99 %6.1f ms, confirmed %8.0f msg/s%n",
          size, rtt.p50Micros() / 1e3, rtt.p99Micros() / 1e3, rate);
      }
      for (int size : new int[] {64, 1000}) {
        RawUdp.Rtt urtt = p2p.unreliableRtt(size, 10, 500, LOSS_TIMEOUT_MS);
        double delivered = p2p.sendRate(size, 512, false, SECONDS / 5, SECONDS);
        RawUdp.Rtt rawRtt = raw.pingPong(bobRaw, size, 10, 500, LOSS_TIMEOUT_MS);
        double rawDelivered = raw.blast(bobRaw, size, SECONDS);
        System.out.printf(Locale.ROOT, "RESULT %5d B unreliable: RTT p50 %6.1f ms, p99 %6.1f ms, lost %3d/500, delivered %8.0f msg/s%n",
          size, urtt.p50Micros() / 1e3, urtt.p99Micros() / 1e3, urtt.lost(), delivered);
        System.out.printf(Locale.ROOT, "RESULT %5d B raw UDP:    RTT p50 %6.1f ms, p99 %6.1f ms, lost %3d/500, delivered %8.0f msg/s%n",
          size, rawRtt.p50Micros() / 1e3, rawRtt.p99Micros() / 1e3, rawRtt.lost(), rawDelivered);
      }
      JsonObject t = LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport");
      System.out.println("RESULT transport " + t.encode());
      node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    System.exit(0);
  }
}
