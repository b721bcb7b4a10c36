package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.cluster.VertxFactory;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The measuring side of one system in {@link Benchmark}, in its own process (pinned to a core
 * or not, by the caller) against a {@link BenchPeer} in another. Runs the given measurements in
 * order and prints one {@code FIGURE {json}} line per figure ({@link Figure}); at the first
 * measurement that fails it prints {@code FAILED SPEC reason} and exits with status 3, so that
 * the caller can start a fresh pair for the rest.
 *
 * <pre>BenchDriver SYSTEM PEER PINNED SECONDS SPEC...</pre>
 * SYSTEM is {@code netty-udp}, {@code vertx-eb} or {@code p2p-node}; PEER what the peer printed
 * after {@code BENCH-PEER}; SECONDS the measured time of a throughput run; SPEC
 * {@code rtt:SIZE}, {@code tput:SIZE:WINDOW} or (p2p-node) {@code file:MIB:WINDOW} (the window of the
 * {@code p2p.send} stretches that alternate with the {@code sendFile} transfers).
 */
public final class BenchDriver {
  static final String RAW = "netty-udp";
  static final String EB = "vertx-eb";
  static final String P2P = "p2p-node";
  /** The largest UDP payload over IPv4: the raw baseline's "64 KB" datagrams. */
  static final int MAX_DATAGRAM = 65_507;

  /**
   * Seconds of unmeasured traffic per throughput spec before the first figure of a process pair
   * (and one unmeasured pass of each RTT spec): the JIT compiles the hot paths of every size,
   * as in a JMH warm-up. Without it the first figures of a fresh JVM pair measured the compiler
   * (C2 shares the one core of a pinned process): 64 B at 256 in flight read 270 000 msg/s
   * after 1 s of warm-up and 450 000-550 000 after 8 s.
   */
  static final double WARMUP_SECONDS_PER_SPEC = 2;

  private final String system;
  private final boolean pinned;
  private final long measuredNanos;
  /** The length of a throughput run now: the measured one, or a warm-up's. */
  private long nanos;
  /** True during the warm-up pass: nothing is printed. */
  private boolean warming;

  private BenchDriver(String system, boolean pinned, double seconds) {
    this.system = system;
    this.pinned = pinned;
    this.measuredNanos = (long) (seconds * 1e9);
    this.nanos = measuredNanos;
  }

  public static void main(String[] args) throws Exception {
    BenchDriver d = new BenchDriver(args[0], Boolean.parseBoolean(args[2]), Double.parseDouble(args[3]));
    List<String> specs = List.of(args).subList(4, args.length);
    String peer = args[1];
    int status = switch (d.system) {
      case RAW -> d.raw(value(peer, "raw"), specs);
      case EB -> d.eventBus(peer.substring(peer.indexOf('=') + 1), specs);
      case P2P -> d.p2p(value(peer, "node"), peer.contains(" raw=") ? value(peer, "raw") : -1,
        peer.contains(" rawpoll=") ? value(peer, "rawpoll") : -1, specs);
      default -> throw new IllegalArgumentException("system: " + d.system);
    };
    System.out.flush();
    System.exit(status);
  }

  /** The number after {@code key=} in the peer's line. */
  private static int value(String peer, String key) {
    for (String part : peer.split(" ")) {
      if (part.startsWith(key + "=")) return Integer.parseInt(part.substring(key.length() + 1));
    }
    throw new IllegalArgumentException("no " + key + "= in \"" + peer + "\"");
  }

  /** One measurement; throws when it fails. */
  @FunctionalInterface
  private interface Measure {
    void run(int size, int window) throws Exception;
  }

  /** Runs every spec through {@code rtt} or {@code tput}; 0, or 3 after the first failure (printed). */
  private int runAll(List<String> specs, Measure rtt, Measure tput) {
    return runAll(specs, rtt, tput, (size, w) -> {
      throw new IllegalArgumentException(system + " has no file transfer");
    });
  }

  /**
   * The same with {@code file:MIB} specs measured by {@code file} (size = MiB). First a warm-up
   * pass over every spec but the files (which warm up with a transfer of their own), printing
   * nothing, then the measured pass.
   */
  private int runAll(List<String> specs, Measure rtt, Measure tput, Measure file) {
    warming = true;
    nanos = (long) (WARMUP_SECONDS_PER_SPEC * 1e9 * 3 / 4); // plus the run's own third
    List<String> warmUp = specs.stream().filter(s -> !s.startsWith("file")).toList();
    System.out.println("WARMING UP " + warmUp);
    for (String spec : warmUp) {
      if (!run(spec, " (warming up)", rtt, tput, file)) return 3;
    }
    warming = false;
    nanos = measuredNanos;
    for (String spec : specs) {
      System.out.println("RUNNING " + spec);
      if (!run(spec, "", rtt, tput, file)) return 3;
    }
    return 0;
  }

  /** Measures one spec; false after printing {@code FAILED spec note reason}. */
  private static boolean run(String spec, String note, Measure rtt, Measure tput, Measure file) {
    String[] p = spec.split(":");
    try {
      int size = Integer.parseInt(p[1]);
      int window = p.length > 2 ? Integer.parseInt(p[2]) : 1;
      if (p[0].equals("rtt")) rtt.run(size, window);
      else if (p[0].equals("file")) file.run(size, window);
      else tput.run(size, window);
      return true;
    } catch (Throwable e) {
      String why = String.valueOf(e.getMessage() == null ? e : e.getMessage()).replace('\n', ' ');
      System.out.println("FAILED " + spec + note + " " + why);
      return false;
    }
  }

  private void print(String metric, int size, Integer window, double value, String unit) {
    if (warming) return;
    System.out.println("FIGURE " + Figure.of(system, metric, size, window, pinned, value, unit).toJson().encode());
  }

  private void printRtt(int size, RawUdp.Rtt rtt) {
    print(Figure.RTT_P50, size, 1, rtt.p50Micros(), "us");
    print(Figure.RTT_P99, size, 1, rtt.p99Micros(), "us");
  }

  private void printRate(int size, int window, BusLoad.Rate r) {
    print(Figure.THROUGHPUT, size, window, r.messagesPerSecond(), "msg/s");
    print(Figure.ALLOC_SENDER, size, window, r.senderAllocPerMessage(), "B/msg");
    print(Figure.ALLOC_RECEIVER, size, window, r.receiverAllocPerMessage(), "B/msg");
    print(Figure.LOST, size, window, r.lost(), "msg");
  }

  /**
   * RTT of p2p-node requests and of raw ping-pongs to the raw echo in the peer's process, in
   * {@link #PAIRED_STRETCHES} stretches each, alternating: this VM's round trips drift by 15-20 %
   * between minutes (raw ping-pong read 31 µs, then 37 µs, then 33 µs in one run of 100 figures), so
   * a ratio of figures measured minutes apart says more about the host than about p2p-node. Prints
   * p2p-node's figures and, beside them, the raw figures of the same minutes: plain Netty (loops
   * that block, the baseline) and, when {@code polling} is given, Netty whose loops
   * busy-poll as the node's do by default (what busy-polling alone buys).
   */
  private void pairedRtt(int size, BusLoad load, RawUdp raw, InetSocketAddress server, RawUdp polling, InetSocketAddress pollServer)
    throws Exception {
    int each = samples(size) / PAIRED_STRETCHES;
    int datagram = Math.min(size, MAX_DATAGRAM);
    List<RawUdp.Rtt> p2p = new java.util.ArrayList<>();
    List<RawUdp.Rtt> baseline = new java.util.ArrayList<>();
    List<RawUdp.Rtt> polled = new java.util.ArrayList<>();
    for (int i = 0; i < PAIRED_STRETCHES; i++) {
      baseline.add(raw.pingPong(server, datagram, each / 5, each, 1_000));
      if (polling != null) polled.add(polling.pingPong(pollServer, datagram, each / 5, each, 1_000));
      p2p.add(load.rtt(size, each / 5, each));
    }
    printRtt(size, RawUdp.Rtt.pooled(p2p));
    RawUdp.Rtt r = RawUdp.Rtt.pooled(baseline);
    print(Figure.RTT_P50_PAIRED_RAW, size, 1, r.p50Micros(), "us");
    print(Figure.RTT_P99_PAIRED_RAW, size, 1, r.p99Micros(), "us");
    if (polling == null) return;
    RawUdp.Rtt q = RawUdp.Rtt.pooled(polled);
    print(Figure.RTT_P50_PAIRED_RAW_BUSYPOLL, size, 1, q.p50Micros(), "us");
    print(Figure.RTT_P99_PAIRED_RAW_BUSYPOLL, size, 1, q.p99Micros(), "us");
  }

  /** Stretches of {@link #pairedRtt}: each of a tenth of the samples, itself warmed up by a fifth of that. */
  private static final int PAIRED_STRETCHES = 10;

  private static int samples(int size) {
    return size > 4096 ? 1_000 : 10_000;
  }

  // ------------------------------------------------------------------ the systems

  /**
   * Raw Netty epoll UDP: ping-pong and blast ({@code window} does not apply). A 64 KB message
   * is one datagram of {@link #MAX_DATAGRAM} bytes; its rate is given in 64 KB messages/s
   * (bytes/s ÷ 65 536) so that it compares by bytes.
   */
  private int raw(int port, List<String> specs) throws Exception {
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    try (RawUdp raw = RawUdp.client()) {
      return runAll(specs, (size, w) -> printRtt(size, raw.pingPong(server, Math.min(size, MAX_DATAGRAM), samples(size) / 5,
        samples(size), 1_000)), (size, w) -> {
          int datagram = Math.min(size, MAX_DATAGRAM);
          raw.blast(server, datagram, nanos / 3); // warm-up
          long local = Alloc.allocatedBytes();
          long remote = raw.allocated(server);
          double perSecond = raw.blast(server, datagram, nanos);
          double messages = perSecond * nanos / 1e9;
          print(Figure.THROUGHPUT, size, null, perSecond * datagram / size, "msg/s");
          print(Figure.ALLOC_SENDER, size, null, (Alloc.allocatedBytes() - local) / messages, "B/msg");
          print(Figure.ALLOC_RECEIVER, size, null, (raw.allocated(server) - remote) / messages, "B/msg");
        });
    }
  }

  /** The Vert.x clustered event bus (Hazelcast, tcp-ip join on 127.0.0.1), the peer a member of the same cluster. */
  private int eventBus(String hazelcast, List<String> specs) throws Exception {
    Vertx vertx = await(VertxFactory.create(NodeOptions.fromJson(new JsonObject().put("cluster",
      new JsonObject().put("enabled", true).put("config", hazelcast)))));
    DeliveryOptions plain = new DeliveryOptions();
    BusLoad load = new BusLoad(vertx, new BusLoad.Target(BenchPeer.SINK, plain), new BusLoad.Target(BenchPeer.ECHO, plain),
      new BusLoad.Target(BenchPeer.COUNT, plain), new BusLoad.Target(BenchPeer.ALLOC, plain));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) { // the peer's consumers become visible once the cluster has shared them
      try {
        load.query(new BusLoad.Target(BenchPeer.COUNT, plain));
        break;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) throw e;
        TimeUnit.MILLISECONDS.sleep(100); // polling another process's registration: nothing to wait on
      }
    }
    try {
      return runAll(specs, (size, w) -> printRtt(size, load.rtt(size, samples(size) / 5, samples(size))),
        (size, w) -> printRate(size, w, load.throughput(size, w, nanos / 3, nanos)));
    } finally {
      vertx.close();
    }
  }

  /**
   * p2p-node with its default config (encrypted, reliable): node "bench-a" registers with the
   * peer's node "bench-b" (the coordinator), connects, then drives {@code p2p.send} and
   * {@code p2p.request}. After each throughput run, the chunks the session retransmitted.
   */
  private int p2p(int port, int rawPort, int rawPollPort, List<String> specs) throws Exception {
    P2pNode node = await(P2pNode.start(NodeOptions.fromJson(new JsonObject().put("peerId", "bench-a")
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", 0))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + port))
      .put("bridge", new JsonObject().put("port", 0)).put("http", new JsonObject().put("port", 0)))));
    RawUdp raw = rawPort < 0 ? null : RawUdp.client();
    RawUdp polling = rawPollPort < 0 ? null : RawUdp.busyPollingClient(NodeOptions.DEFAULT_BUSY_POLL_MICROS);
    try {
      Vertx vertx = node.vertx();
      P2pClient api = P2pClient.create(vertx);
      BusLoad load = new P2pMeasure(vertx, "bench-b").load();
      // connected from the context that then sends, as a verticle would: the session runs on its loop
      await(load.onContext(() -> retryConnect(vertx, api, "bench-b", System.nanoTime() + TimeUnit.SECONDS.toNanos(60))));
      return runAll(specs, (size, w) -> {
        if (raw == null) printRtt(size, load.rtt(size, samples(size) / 5, samples(size)));
        else pairedRtt(size, load, raw, new InetSocketAddress("127.0.0.1", rawPort), polling,
          polling == null ? null : new InetSocketAddress("127.0.0.1", rawPollPort));
      }, (size, w) -> {
        double before = retransmitted(api);
        printRate(size, w, load.throughput(size, w, nanos / 3, nanos));
        print(Figure.RETRANSMITTED, size, w, retransmitted(api) - before, "chunks");
        if (size == 65536 && !warming) { // on this process's core, its event loop idle: p2p seals every byte once
          print(Figure.SEAL_THROUGHPUT, size, null, io.p2pnode.crypto.CryptoBench.sealBytesPerSecond(MAX_DATAGRAM - 16 - 16, 1.0) / 1e6, "MB/s");
        }
      }, (mib, w) -> {
        FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.PIPED); // warm-up, as every figure has one: the JIT, the stream windows
        double before = retransmitted(api);
        double[] f = FileTransfer.send(vertx, "bench-b", mib, FileTransfer.TRANSFERS, true, FileTransfer.Way.PIPED);
        System.err.println("file transfer retransmitted " + (retransmitted(api) - before) + " chunks");
        print(Figure.FILE_THROUGHPUT, 65536, null, f[0], "MB/s");
        print(Figure.FILE_HEAP_RECEIVER, 65536, null, f[1], "B");
        print(Figure.FILE_HEAP_SENDER, 65536, null, f[2], "B");
        print(Figure.FILE_CPU_RECEIVER, 65536, null, f[3], "s/GiB");
        FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE); // sendFile into streamToFileSystem: its own warm-up
        FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE_DROPPED);
        FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE_DIRECT);
        // each transfer right after a stretch of 64 KB p2p.send of about as long: on this shared
        // machine p2p.send's own rate swings 2-3x between minutes, so the ratio is taken between
        // figures measured in the same minute, each transfer next to its own p2p.send stretch; the
        // same bytes into a reader that drops them, into a file written with direct I/O, and the peer
        // writing them into a file of its own, right after: where file to file loses against
        // p2p.send, the stream or the file (and whether the page cache or the write itself)
        int n = FileTransfer.TRANSFERS;
        double fileMb = (double) mib * (1 << 20) / 1e6, fileSeconds = 0, droppedSeconds = 0, writeSeconds = 0, directSeconds = 0, sendMbs = 0, cpu = 0, directCpu = 0;
        for (int i = 0; i < n; i++) {
          sendMbs += load.throughput(65536, w, nanos / 6, nanos / 2).messagesPerSecond() * 65536 / 1e6 / n; // equal stretches: the mean
          double[] sf = FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE);
          fileSeconds += fileMb / sf[0];
          cpu += sf[3] / n;
          droppedSeconds += fileMb / FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE_DROPPED)[0];
          double[] direct = FileTransfer.send(vertx, "bench-b", mib, 1, false, FileTransfer.Way.SEND_FILE_DIRECT);
          directSeconds += fileMb / direct[0];
          directCpu += direct[3] / n;
          writeSeconds += fileMb / FileTransfer.peerWritesLocally(vertx, "bench-b", mib);
        }
        print(Figure.SENDFILE_THROUGHPUT, 65536, null, n * fileMb / fileSeconds, "MB/s");
        print(Figure.SENDFILE_CPU_RECEIVER, 65536, null, cpu, "s/GiB");
        print(Figure.SENDFILE_DROPPED_THROUGHPUT, 65536, null, n * fileMb / droppedSeconds, "MB/s");
        print(Figure.LOCAL_FILE_WRITE, 65536, null, n * fileMb / writeSeconds, "MB/s");
        print(Figure.SENDFILE_DIRECT_THROUGHPUT, 65536, null, n * fileMb / directSeconds, "MB/s");
        print(Figure.SENDFILE_DIRECT_CPU_RECEIVER, 65536, null, directCpu, "s/GiB");
        print(Figure.SENDFILE_PAIRED_SEND, 65536, w, sendMbs, "MB/s");
      });
    } finally {
      node.stop();
      if (raw != null) raw.close();
      if (polling != null) polling.close();
    }
  }

  /**
   * The chunks the session to the peer retransmitted so far: the sum of the numbers under keys
   * starting with "retransmit" in its {@code p2p.peers} entry's {@code transport} ({@code NaN}
   * when there is none).
   */
  private static double retransmitted(P2pClient api) throws Exception {
    JsonArray peers = await(api.peers()).getJsonArray("peers");
    if (peers.isEmpty()) return Double.NaN;
    JsonObject t = peers.getJsonObject(0).getJsonObject("transport");
    System.err.println("session transport: " + t); // the driver's log: path MTU, window, losses
    return t == null ? Double.NaN : sumRetransmit(t);
  }

  private static double sumRetransmit(JsonObject j) {
    double sum = Double.NaN;
    for (var e : j) {
      double v = Double.NaN;
      if (e.getValue() instanceof Number n && e.getKey().startsWith("retransmit")) v = n.doubleValue();
      else if (e.getValue() instanceof JsonObject o) v = sumRetransmit(o);
      if (!Double.isNaN(v)) sum = Double.isNaN(sum) ? v : sum + v;
    }
    return sum;
  }

  private static Future<JsonObject> retryConnect(Vertx vertx, P2pClient api, String far, long deadline) {
    return api.connect(far).recover(err -> {
      if (System.nanoTime() > deadline) return Future.failedFuture(err);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(50, t -> p.complete());
      return p.future().compose(v -> retryConnect(vertx, api, far, deadline));
    });
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
