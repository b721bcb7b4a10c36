package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.bus.P2pWriteStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams on loopback, in one run, three nodes in this JVM (coordinator, sender, receiver):
 * <ol>
 *   <li>latency (p50/p99) of small confirmed {@code p2p.send}s to one address, one at a time, on an
 *       idle session, then while a byte stream to another address carries bulk data, then while
 *       {@code p2p.send}s of 64 KB (256 in flight) carry it;</li>
 *   <li>throughput: {@code p2p.send} 64 KB with 256 in flight (the data-plane benchmark's bulk
 *       figure, measured here in the same setup), a byte stream from memory, a file piped through a
 *       stream to a file; with the ratios stream / {@code p2p.send}.</li>
 * </ol>
 * Usage: {@code bash bench/streams.sh [--seconds 5] [--fileMiB 256] [--samples 2000]}. Not a test:
 * numbers depend on the machine.
 */
public final class StreamBench {
  static final String CHAT = "bench.chat";
  static final String BULK = "bench.bulk";
  private static final String FILES = "bench.files";
  private static final String FILES_SAVED = "bench.files.saved";

  public static void main(String[] args) throws Exception {
    int seconds = arg(args, "--seconds", 5);
    int fileMiB = arg(args, "--fileMiB", 256);
    int samples = arg(args, "--samples", 2000);
    JsonObject plain = new JsonObject().put("encryption", false);
    boolean encrypted = Arrays.asList(args).contains("--encrypted");
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      P2pNode alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("session", encrypted ? new JsonObject() : plain));
      P2pNode bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("session", encrypted ? new JsonObject() : plain));
      TestNodes.connectEventually(alice, "bob");
      P2pClient api = P2pClient.create(alice.vertx());
      P2pClient bobApi = P2pClient.create(bob.vertx());
      AtomicLong bulkBytes = new AtomicLong();
      await(bob.vertx().eventBus().<Object>localConsumer(CHAT, m -> m.reply(null)).completion());
      await(bob.vertx().eventBus().<Buffer>localConsumer(BULK, m -> bulkBytes.addAndGet(m.body().length())).completion());
      bobApi.streamHandler(BULK, rs -> rs.handler(b -> bulkBytes.addAndGet(b.length())));
      System.err.printf("streams benchmark: loopback, one JVM (3 nodes), %s sessions, %d s per throughput figure%n",
        encrypted ? "encrypted" : "plain", seconds);

      fileRead = arg(args, "--fileReadKiB", FILE_READ >> 10) << 10;
      fileQueue = arg(args, "--fileQueueKiB", FILE_QUEUE >> 10) << 10;
      if (Arrays.asList(args).contains("--fileOnly")) {
        sendThroughput(alice.vertx(), bulkBytes, seconds); // warm-up: the JIT, path MTU discovery
        double sendMBs = sendThroughput(alice.vertx(), bulkBytes, seconds);
        print("p2p.send 64 KB, 256 in flight", "throughput", sendMBs, "MB/s");
        fileFigures(alice, bob, api, bobApi, fileMiB, sendMBs);
        return;
      }
      // ---- latency
      double[] idle = latency(alice.vertx(), samples, Addresses.DEFAULT_PRIORITY);
      AtomicBoolean stop = new AtomicBoolean();
      Future<Void> bulk = streamFromMemory(alice.vertx(), api, stop);
      sleep(500);
      double[] underStream = latency(alice.vertx(), samples, Addresses.DEFAULT_PRIORITY);
      double[] urgentUnderStream = latency(alice.vertx(), samples, 0);
      stop.set(true);
      await(bulk);
      stop.set(false);
      CompletableFuture<Void> sendBulk = sendBulk(alice.vertx(), stop);
      sleep(500);
      double[] underSends = latency(alice.vertx(), samples, Addresses.DEFAULT_PRIORITY);
      stop.set(true);
      sendBulk.get(60, TimeUnit.SECONDS);
      print("small send latency, idle", "p50", idle[0], "ms");
      print("small send latency, idle", "p99", idle[1], "ms");
      print("small send latency, stream bulk on another address", "p50", underStream[0], "ms");
      print("small send latency, stream bulk on another address", "p99", underStream[1], "ms");
      print("small send latency, priority 0, stream bulk on another", "p50", urgentUnderStream[0], "ms");
      print("small send latency, priority 0, stream bulk on another", "p99", urgentUnderStream[1], "ms");
      print("small send latency, p2p.send bulk on another address", "p50", underSends[0], "ms");
      print("small send latency, p2p.send bulk on another address", "p99", underSends[1], "ms");
      System.err.printf("  p99 under stream bulk - idle p99: %+.2f ms (target <= +5 ms)%n", underStream[1] - idle[1]);
      System.err.printf("  p99 under p2p.send bulk - idle p99: %+.2f ms%n", underSends[1] - idle[1]);

      // ---- throughput
      double sendMBs = sendThroughput(alice.vertx(), bulkBytes, seconds);
      print("p2p.send 64 KB, 256 in flight", "throughput", sendMBs, "MB/s");
      double streamMBs = streamThroughput(alice.vertx(), api, bulkBytes, seconds);
      print("stream from memory, 64 KB writes", "throughput", streamMBs, "MB/s");
      System.err.printf("  ratio stream / p2p.send: %.2f (target >= 0.8)%n", streamMBs / sendMBs);
      fileFigures(alice, bob, api, bobApi, fileMiB, sendMBs);
    }
  }

  /** The file figures: piped through {@code AsyncFile}s, then {@code sendFile} into {@code streamToFileSystem}; each against {@code p2p.send}. */
  private static void fileFigures(P2pNode alice, P2pNode bob, P2pClient api, P2pClient bobApi, int fileMiB, double sendMBs) throws Exception {
    double piped = fileThroughput(alice, bob, api, bobApi, fileMiB, false);
    print("file piped through a stream (" + fileMiB + " MiB, file to file)", "throughput", piped, "MB/s");
    System.err.printf("  piped / p2p.send: %.2f (reads of %d KiB, file write queue %d KiB)%n", piped / sendMBs, fileRead >> 10, fileQueue >> 10);
    fileThroughput(alice, bob, api, bobApi, fileMiB, true); // its own warm-up: the JIT on the sendFile and file-writing path
    double direct = fileThroughput(alice, bob, api, bobApi, fileMiB, true);
    print("file by sendFile into streamToFileSystem (" + fileMiB + " MiB)", "throughput", direct, "MB/s");
    System.err.printf("  sendFile+streamToFileSystem / p2p.send: %.2f (target >= 0.8)%n", direct / sendMBs);
  }

  private static int arg(String[] args, String name, int dflt) {
    int i = Arrays.asList(args).indexOf(name);
    return i >= 0 && i + 1 < args.length ? Integer.parseInt(args[i + 1]) : dflt;
  }

  private static void print(String what, String metric, double value, String unit) {
    System.err.printf("  %-58s %-10s %10.2f %s%n", what, metric, value, unit);
    System.out.println(new JsonObject().put("system", "p2p-node").put("bench", "streams").put("what", what).put("metric", metric)
      .put("value", Math.round(value * 100) / 100.0).put("unit", unit).encode());
  }

  private static DeliveryOptions to(String address) {
    return to("bob", address);
  }

  private static DeliveryOptions to(String peer, String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, peer).addHeader(Addresses.HEADER_ADDRESS, address);
  }

  /** {@code samples} confirmed 16-byte sends to {@link #CHAT} at {@code priority}, one at a time: p50, p99 in ms. */
  private static double[] latency(Vertx vertx, int samples, int priority) throws Exception {
    return latency(vertx, "bob", samples, priority);
  }

  /** As {@link #latency(Vertx, int, int)} to {@code peer}. */
  static double[] latency(Vertx vertx, String peer, int samples, int priority) throws Exception {
    DeliveryOptions opts = to(peer, CHAT).addHeader(Addresses.HEADER_PRIORITY, Integer.toString(priority));
    long[] lat = new long[samples];
    CompletableFuture<Void> done = new CompletableFuture<>();
    Buffer body = Buffer.buffer(new byte[16]);
    int warmup = Math.max(10, samples / 10);
    Runnable[] next = new Runnable[1];
    int[] n = {0};
    next[0] = () -> {
      long t0 = System.nanoTime();
      vertx.eventBus().request(Addresses.SEND, body, opts).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        int i = n[0]++;
        if (i >= warmup) lat[i - warmup] = System.nanoTime() - t0;
        if (n[0] == warmup + samples) done.complete(null);
        else next[0].run();
      });
    };
    vertx.runOnContext(v -> next[0].run());
    done.get(600, TimeUnit.SECONDS);
    Arrays.sort(lat);
    return new double[] {lat[samples / 2] / 1e6, lat[(int) (samples * 0.99)] / 1e6};
  }

  /** Writes 64 KB buffers to a stream to {@link #BULK} as fast as its backpressure lets, until {@code stop}; then ends it. */
  private static Future<Void> streamFromMemory(Vertx vertx, P2pClient api, AtomicBoolean stop) {
    return streamFromMemory(vertx, api, "bob", stop);
  }

  /** As {@link #streamFromMemory(Vertx, P2pClient, AtomicBoolean)} to {@code peer}. */
  static Future<Void> streamFromMemory(Vertx vertx, P2pClient api, String peer, AtomicBoolean stop) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> api.openStream(peer, BULK).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      P2pWriteStream ws = ar.result();
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (!ws.writeQueueFull() && !stop.get()) ws.write(chunk);
        if (stop.get()) ws.end().onComplete(done);
        else ws.drainHandler(x -> pump[0].run());
      };
      pump[0].run();
    }));
    return done.future();
  }

  /** {@code p2p.send} 64 KB to {@link #BULK} with 256 in flight until {@code stop}. */
  private static CompletableFuture<Void> sendBulk(Vertx vertx, AtomicBoolean stop) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Buffer body = Buffer.buffer(new byte[64 * 1024]);
    int[] inFlight = {0};
    Runnable[] send = new Runnable[1];
    send[0] = () -> {
      inFlight[0]++;
      vertx.eventBus().request(Addresses.SEND, body, to(BULK)).onComplete(ar -> {
        inFlight[0]--;
        if (!stop.get()) send[0].run();
        else if (inFlight[0] == 0) done.complete(null);
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < 256; i++) send[0].run();
    });
    return done;
  }

  private static double sendThroughput(Vertx vertx, AtomicLong received, int seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> run = sendBulk(vertx, stop);
    return measure(received, seconds, () -> {
      stop.set(true);
      try {
        run.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
  }

  private static double streamThroughput(Vertx vertx, P2pClient api, AtomicLong received, int seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Future<Void> run = streamFromMemory(vertx, api, stop);
    return measure(received, seconds, () -> {
      stop.set(true);
      await(run);
    });
  }

  /** MB/s received over {@code seconds} after a one-second warm-up. */
  private static double measure(AtomicLong received, int seconds, Runnable stop) throws Exception {
    sleep(1000);
    long b0 = received.get();
    long t0 = System.nanoTime();
    sleep(seconds * 1000L);
    double mbs = (received.get() - b0) / ((System.nanoTime() - t0) / 1e9) / 1e6;
    stop.run();
    return mbs;
  }

  /** Reads of 1 MiB: each read is a worker-thread task and an event-loop hop, so fewer, larger ones (the stream cuts them into 64 KiB chunks). */
  static final int FILE_READ = 1 << 20;
  /** The receiving file's write queue: 4 MiB, so the pipe does not pause the stream after every second chunk (AsyncFile's default is 128 KiB). */
  static final int FILE_QUEUE = 4 << 20;
  private static int fileRead = FILE_READ;
  private static int fileQueue = FILE_QUEUE;

  /**
   * A file of {@code mib} MiB through a stream, file to file, in MB/s: {@code direct}, read by
   * {@code sendFile} and written by {@code streamToFileSystem}; otherwise piped from one
   * {@code AsyncFile} into the stream and from the stream into another (then also the same two
   * files piped locally, the ceiling of that path).
   */
  private static double fileThroughput(P2pNode alice, P2pNode bob, P2pClient api, P2pClient bobApi, int mib, boolean direct) throws Exception {
    Path dir = Files.createTempDirectory("p2p-stream-bench");
    Path source = dir.resolve("source.bin");
    Path target = dir.resolve("target.bin");
    try {
      StreamProbe.writeRandom(source, mib);
      Promise<Void> received = Promise.promise();
      String address = direct ? FILES_SAVED : FILES;
      bobApi.streamHandler(address, rs -> (direct ? rs.streamToFileSystem(target.toString())
        : bob.vertx().fileSystem().open(target.toString(), new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true))
          .compose(out -> rs.pipeTo(out.setWriteQueueMaxSize(fileQueue)))).onComplete(received));
      long t0 = System.nanoTime();
      Future<Void> sent = direct
        ? api.openStream("bob", address).compose(ws -> ws.sendFile(source.toString()).compose(v -> ws.end()))
        : alice.vertx().fileSystem().open(source.toString(), new OpenOptions().setRead(true))
          .compose(file -> api.openStream("bob", address).compose(ws -> file.setReadBufferSize(fileRead).pipeTo(ws)));
      await(Future.all(sent, received.future()));
      double mbs = ((long) mib << 20) / ((System.nanoTime() - t0) / 1e9) / 1e6;
      if (Files.size(target) != (long) mib << 20 || Files.mismatch(source, target) != -1) throw new AssertionError("file differs");
      if (direct) return mbs;
      // the same files piped into each other on one node, no network: the ceiling of the file path
      long t1 = System.nanoTime();
      await(bob.vertx().fileSystem().open(source.toString(), new OpenOptions().setRead(true)).compose(in -> bob.vertx().fileSystem()
        .open(target.toString(), new OpenOptions().setWrite(true).setTruncateExisting(true))
        .compose(out -> in.setReadBufferSize(fileRead).pipeTo(out.setWriteQueueMaxSize(fileQueue)))));
      print("file piped to a file locally (no network), the file path's ceiling", "throughput",
        ((long) mib << 20) / ((System.nanoTime() - t1) / 1e9) / 1e6, "MB/s");
      return mbs;
    } finally {
      Files.deleteIfExists(source);
      Files.deleteIfExists(target);
      Files.deleteIfExists(dir);
    }
  }

  private static void sleep(long ms) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(ms);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
