package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.bus.Addresses;
import io.p2pnode.config.Endpoints;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;

import java.util.concurrent.TimeUnit;

/**
 * The far side of the benchmarks, in its own process: a p2p node ("bench-b", also the
 * coordinator, unless a config is given) with an echo, a sink and a clock consumer, and the raw
 * Netty UDP server. Prints its ports, then runs until its standard input closes.
 */
public final class BenchPeer {
  static final String ECHO = "bench.echo";
  static final String SINK = "bench.sink";
  static final String COUNT = "bench.count";
  /** Unreliable echo: sends the body back unreliably to the sender's {@link #UPONG}. */
  static final String UECHO = "bench.uecho";
  static final String UPONG = "bench.upong";
  /** Where the raw server listens inside the NAT lab (the NATs there keep source ports). */
  static final int LAB_RAW_PORT = 9000;

  private BenchPeer() {
  }

  /**
   * @param args optionally {@code --conf FILE [RAW_PUNCH_TARGET]}: the NAT-lab benchmark runs it as
   *     a peer in a namespace, its raw server on port {@link #LAB_RAW_PORT} punching towards
   *     {@code host:port} so that the raw baseline crosses the NATs too
   */
  public static void main(String[] args) throws Exception {
    boolean lab = args.length >= 2 && args[0].equals("--conf");
    NodeOptions o = lab ? NodeOptions.load(java.nio.file.Path.of(args[1]))
      : NodeOptions.fromJson(new JsonObject().put("peerId", "bench-b")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)));
    P2pNode node = P2pNode.start(o).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    serve(node);
    // on loopback, a second far side with unencrypted sessions ("bench-b-plain", registered with the first)
    P2pNode plain = lab ? null : P2pNode.start(NodeOptions.fromJson(new JsonObject().put("peerId", "bench-b-plain")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new io.vertx.core.json.JsonArray().add("127.0.0.1:" + node.udpAddress().getPort()))
      .put("session", new JsonObject().put("encryption", false))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)))).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (plain != null) serve(plain);
    try (RawUdp raw = lab ? RawUdp.server(new InetSocketAddress("0.0.0.0", LAB_RAW_PORT)) : RawUdp.server()) {
      if (args.length >= 3) raw.punch(Endpoints.parse("rawPunchTarget", args[2]), 900);
      System.out.println("BENCH-PEER node=" + node.udpAddress().getPort() + " raw=" + raw.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // run until the driver closes our stdin
      }
    }
    if (plain != null) plain.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** The measuring consumers on {@code node}. */
  private static void serve(P2pNode node) {
    node.vertx().eventBus().<Object>localConsumer(ECHO, m -> m.reply(m.body()));
    java.util.concurrent.atomic.AtomicLong sunk = new java.util.concurrent.atomic.AtomicLong();
    node.vertx().eventBus().<Object>localConsumer(SINK, m -> sunk.incrementAndGet());
    node.vertx().eventBus().<Object>localConsumer(COUNT, m -> m.reply(String.valueOf(sunk.get())));
    node.vertx().eventBus().<Object>localConsumer(UECHO, m -> node.vertx().eventBus().send(Addresses.SEND, m.body(),
      new DeliveryOptions().addHeader(Addresses.HEADER_TO, m.headers().get(Addresses.HEADER_FROM))
        .addHeader(Addresses.HEADER_ADDRESS, UPONG).addHeader(Addresses.HEADER_RELIABLE, "false")));
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
  }
}
