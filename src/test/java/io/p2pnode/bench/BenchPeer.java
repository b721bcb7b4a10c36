package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.bus.Addresses;
import io.p2pnode.config.Endpoints;
import io.p2pnode.cluster.VertxFactory;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;

import java.util.concurrent.TimeUnit;

/**
 * The far side of the benchmarks, in its own process: a p2p node ("bench-b", also the
 * coordinator, unless a config is given), or a member of a clustered Vert.x, with an echo, a
 * sink, a clock and an allocation probe; or the raw Netty UDP server. Prints
 * {@code BENCH-PEER} and where it listens, then runs until its standard input closes.
 */
public final class BenchPeer {
  static final String ECHO = "bench.echo";
  static final String SINK = "bench.sink";
  static final String COUNT = "bench.count";
  /** Answers with the heap bytes this process allocated so far ({@link Alloc}). */
  static final String ALLOC = "bench.alloc";
  /** Unreliable echo: sends the body back unreliably to the sender's {@link #UPONG}. */
  static final String UECHO = "bench.uecho";
  static final String UPONG = "bench.upong";
  /** Where the raw server listens inside the NAT lab (the NATs there keep source ports). */
  static final int LAB_RAW_PORT = 9000;

  private BenchPeer() {
  }

  /**
   * @param args {@code p2p} (node "bench-b", also the coordinator), {@code eb HAZELCAST_XML} (a
   *     clustered Vert.x with the measuring consumers), {@code raw} (the raw Netty UDP server), or
   *     {@code --conf FILE [RAW_PUNCH_TARGET]}: the NAT-lab benchmark runs it as a peer in a
   *     namespace, its raw server on port {@link #LAB_RAW_PORT} punching towards {@code host:port}
   *     so that the raw baseline crosses the NATs too
   */
  public static void main(String[] args) throws Exception {
    String mode = args.length == 0 ? "p2p" : args[0];
    switch (mode) {
      case "raw" -> {
        try (RawUdp raw = RawUdp.server()) {
          ready("raw=" + raw.port());
        }
      }
      case "eb" -> {
        Vertx vertx = VertxFactory.create(NodeOptions.fromJson(new JsonObject().put("cluster",
          new JsonObject().put("enabled", true).put("config", args[1])))).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        serve(vertx, true);
        ready("eb=" + args[1]);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      case "p2p" -> {
        P2pNode node = P2pNode.start(NodeOptions.fromJson(new JsonObject().put("peerId", "bench-b")
          .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
          .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)))).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        serve(node.vertx());
        FileTransfer.serve(node.vertx());
        // and the raw echo beside it, so the driver can time raw ping-pongs in the same minutes as
        // the requests (BenchDriver.pairedRtt)
        // and a raw echo whose loop busy-polls as the node's do, the baseline of what busy-polling alone buys
        try (RawUdp raw = RawUdp.server(); RawUdp polling = RawUdp.busyPollingServer(NodeOptions.DEFAULT_BUSY_POLL_MICROS)) {
          ready("node=" + node.udpAddress().getPort() + " raw=" + raw.port() + " rawpoll=" + polling.port());
        }
        node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      case "--conf" -> {
        P2pNode node = P2pNode.start(NodeOptions.load(java.nio.file.Path.of(args[1])))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        serve(node.vertx());
        try (RawUdp raw = RawUdp.server(new InetSocketAddress("0.0.0.0", LAB_RAW_PORT))) {
          if (args.length >= 3) raw.punch(Endpoints.parse("rawPunchTarget", args[2]), 900);
          ready("node=" + node.udpAddress().getPort() + " raw=" + raw.port());
        }
        node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      default -> throw new IllegalArgumentException("mode: p2p, eb HAZELCAST_XML, raw or --conf FILE [RAW_PUNCH_TARGET], not " + mode);
    }
    System.exit(0);
  }

  /** Prints {@code BENCH-PEER what}, then returns once the driver closes our standard input. */
  private static void ready(String what) throws java.io.IOException {
    System.out.println("BENCH-PEER " + what);
    System.out.flush();
    while (System.in.read() >= 0) {
      // run until the driver closes our stdin
    }
  }

  /** The measuring consumers on a node's Vert.x: local consumers (p2p-node delivers to them). */
  private static void serve(Vertx vertx) {
    serve(vertx, false);
    vertx.eventBus().<Object>localConsumer(UECHO, m -> vertx.eventBus().send(Addresses.SEND, m.body(),
      new DeliveryOptions().addHeader(Addresses.HEADER_TO, m.headers().get(Addresses.HEADER_FROM))
        .addHeader(Addresses.HEADER_ADDRESS, UPONG).addHeader(Addresses.HEADER_RELIABLE, "false")));
    // order check: bodies are sequence numbers 0, 1, 2...; the report says what arrived how
    long[] order = new long[3]; // next expected, duplicates, out of order
    vertx.eventBus().<String>localConsumer("bench.order", m -> {
      long seq = Long.parseLong(m.body());
      if (seq == order[0]) order[0]++;
      else if (seq < order[0]) order[1]++;
      else order[2]++;
    });
    vertx.eventBus().<Object>localConsumer("bench.order.report", m -> m.reply(new JsonObject()
      .put("inOrder", order[0]).put("duplicates", order[1]).put("outOfOrder", order[2])));
    // answers with the wall-clock time it received the request, in microseconds (one clock per machine)
    vertx.eventBus().<Object>localConsumer("bench.clock", m -> {
      java.time.Instant now = java.time.Instant.now();
      m.reply(String.valueOf(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000));
    });
  }

  /**
   * The echo, the counting sink (which answers credit requests), its count and the allocation
   * probe; {@code clustered}: registered across the cluster (the event-bus baseline).
   */
  private static void serve(Vertx vertx, boolean clustered) {
    io.vertx.core.eventbus.EventBus eb = vertx.eventBus();
    java.util.function.BiConsumer<String, io.vertx.core.Handler<io.vertx.core.eventbus.Message<Object>>> on =
      clustered ? eb::consumer : eb::localConsumer;
    on.accept(ECHO, m -> m.reply(m.body()));
    java.util.concurrent.atomic.AtomicLong sunk = new java.util.concurrent.atomic.AtomicLong();
    on.accept(SINK, m -> {
      sunk.incrementAndGet();
      if (m.replyAddress() != null) m.reply(null); // a credit request (BusLoad)
    });
    on.accept(COUNT, m -> m.reply(String.valueOf(sunk.get())));
    on.accept(ALLOC, m -> m.reply(String.valueOf(Alloc.allocatedBytes())));
  }
}
