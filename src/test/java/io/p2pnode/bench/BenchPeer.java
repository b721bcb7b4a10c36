package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * The far side of the benchmarks, in its own process: a p2p node ("bench-b", also the
 * coordinator, unless a config is given) with an echo, a sink and a clock consumer, and the raw
 * Netty UDP server. Prints its ports, then runs until its standard input closes.
 */
public final class BenchPeer {
  private BenchPeer() {
  }

  /** @param args optionally {@code --conf FILE} (the NAT-lab benchmark runs it as a peer in a namespace) */
  public static void main(String[] args) throws Exception {
    NodeOptions o = args.length == 2 && args[0].equals("--conf") ? NodeOptions.load(java.nio.file.Path.of(args[1]))
      : NodeOptions.fromJson(new JsonObject().put("peerId", "bench-b")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("bridge", new JsonObject().put("port", 0)));
    P2pNode node = P2pNode.start(o).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    node.vertx().eventBus().<Object>localConsumer("bench.echo", m -> m.reply(m.body()));
    java.util.concurrent.atomic.AtomicLong sunk = new java.util.concurrent.atomic.AtomicLong();
    node.vertx().eventBus().<Object>localConsumer("bench.sink", m -> sunk.incrementAndGet());
    node.vertx().eventBus().<Object>localConsumer("bench.count", m -> m.reply(String.valueOf(sunk.get())));
    // order check: bodies are sequence numbers 0, 1, 2...; the report says what arrived how
    long[] order = new long[3]; // next expected, duplicates, out of order
    node.vertx().eventBus().<String>localConsumer("bench.order", m -> {
      long seq = Long.parseLong(m.body());
      if (seq == order[0]) order[0]++;
      else if (seq < order[0]) order[1]++;
      else order[2]++;
    });
    node.vertx().eventBus().<Object>localConsumer("bench.order.report", m -> m.reply(new JsonObject()
      .put("inOrder", order[0]).put("duplicates", order[1]).put("outOfOrder", order[2])));
    // answers with the wall-clock time it received the request, in microseconds (one clock per machine)
    node.vertx().eventBus().<Object>localConsumer("bench.clock", m -> {
      java.time.Instant now = java.time.Instant.now();
      m.reply(String.valueOf(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000));
    });
    try (RawUdp raw = RawUdp.server()) {
      System.out.println("BENCH-PEER node=" + node.udpAddress().getPort() + " raw=" + raw.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // run until the driver closes our stdin
      }
    }
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
