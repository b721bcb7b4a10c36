package io.p2pnode.bench;

import io.p2pnode.P2pNode;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.file.OpenOptions;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs inside a peer's namespace of the NAT lab and pipes a file through a byte stream
 * ({@code P2pClient.openStream}), with the JVM's heap capped by {@code NodeProcess.javaMain}:
 * <ul>
 *   <li>{@code receive PEER COORDINATOR FILE}: a node that takes streams at {@code lab.files},
 *       pipes the first one into FILE, prints {@code READY} once registered and
 *       {@code RECEIVED {"bytes","sha256","from","peakLiveHeapMiB"}} after its end, then exits;</li>
 *   <li>{@code send PEER COORDINATOR TARGET FILE MIB}: writes FILE (MIB MiB of pseudo-random
 *       bytes), pipes it to TARGET and prints {@code REPORT {"bytes","sha256","seconds","mbPerSec",
 *       "peakLiveHeapMiB","transport"}}.</li>
 * </ul>
 */
public final class StreamProbe {
  static final String ADDRESS = "lab.files";

  private StreamProbe() {
  }

  public static void main(String[] args) throws Exception {
    AtomicLong peak = new AtomicLong();
    if (args[0].equals("receive")) receive(args[1], args[2], Path.of(args[3]), peak);
    else if (args[0].equals("latency")) latency(args[1], args[2], args[3], Integer.parseInt(args[4]));
    else send(args[1], args[2], args[3], Path.of(args[4]), Integer.parseInt(args[5]), args.length > 6 && args[6].equals("sendFile"), peak);
    System.exit(0);
  }

  private static void receive(String peerId, String coordinator, Path file, AtomicLong peak) throws Exception {
    P2pNode node = LabPeer.start(peerId, 7700, coordinator, new JsonObject(), false);
    P2pClient api = P2pClient.create(node.vertx());
    node.vertx().setPeriodic(200, t -> peak.accumulateAndGet(liveHeap(), Math::max));
    CompletableFuture<String> from = new CompletableFuture<>();
    api.streamHandler(ADDRESS, rs -> node.vertx().fileSystem().open(file.toString(), new OpenOptions().setWrite(true)
      .setCreate(true).setTruncateExisting(true)).compose(rs::pipeTo).onComplete(ar -> {
        if (ar.succeeded()) from.complete(rs.peerId());
        else from.completeExceptionally(ar.cause());
      }));
    AtomicLong bulk = new AtomicLong();
    node.vertx().eventBus().localConsumer(StreamBench.CHAT, m -> m.reply(null));
    api.streamHandler(StreamBench.BULK, rs -> rs.handler(b -> bulk.addAndGet(b.length())));
    LabPeer.awaitRegistered(node, api);
    System.out.println("READY");
    System.out.flush();
    String sender = from.get(3600, TimeUnit.SECONDS);
    System.out.println("RECEIVED " + new JsonObject().put("bytes", Files.size(file)).put("sha256", sha256(file)).put("from", sender)
      .put("peakLiveHeapMiB", peak.get() >> 20).encode());
    System.out.flush();
  }

  /** Sends {@code mib} MiB of random bytes as a file: piped from {@code AsyncFile}, or by {@code P2pWriteStream.sendFile}. */
  private static void send(String peerId, String coordinator, String target, Path file, int mib, boolean sendFile, AtomicLong peak) throws Exception {
    writeRandom(file, mib);
    String sha = sha256(file);
    P2pNode node = LabPeer.start(peerId, 7790, coordinator, new JsonObject().put("connectTimeoutMs", 20_000)
      .put("relayAfterMs", 19_000), false);
    P2pClient api = P2pClient.create(node.vertx());
    node.vertx().setPeriodic(200, t -> peak.accumulateAndGet(liveHeap(), Math::max));
    LabPeer.connectEventually(node, api, target);
    long t0 = System.nanoTime();
    Future<Void> sent = sendTo(node.vertx(), api, target, ADDRESS, file, 64 * 1024, sendFile);
    sent.toCompletionStage().toCompletableFuture().get(3600, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    JsonObject peers = LabPeer.await(api.peers());
    System.out.println("REPORT " + new JsonObject().put("bytes", Files.size(file)).put("sha256", sha)
      .put("seconds", Math.round(seconds * 10) / 10.0).put("mbPerSec", Math.round(Files.size(file) / seconds / 1e4) / 100.0)
      .put("peakLiveHeapMiB", peak.get() >> 20)
      .put("transport", peers.getJsonArray("peers").getJsonObject(0).getJsonObject("transport")).encode());
    System.out.flush();
  }

  private static void latency(String peerId, String coordinator, String target, int samples) throws Exception {
    P2pNode node = LabPeer.start(peerId, 7790, coordinator, new JsonObject().put("connectTimeoutMs", 20_000)
      .put("relayAfterMs", 19_000), false);
    P2pClient api = P2pClient.create(node.vertx());
    LabPeer.connectEventually(node, api, target);
    double[] idle = StreamBench.latency(node.vertx(), target, samples, io.p2pnode.bus.Addresses.DEFAULT_PRIORITY);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    long acked0 = acked(api);
    long t0 = System.nanoTime();
    Future<Void> bulk = StreamBench.streamFromMemory(node.vertx(), api, target, stop);
    TimeUnit.SECONDS.sleep(2); // the bulk stream reaches its pace
    double[] underBulk = StreamBench.latency(node.vertx(), target, samples, io.p2pnode.bus.Addresses.DEFAULT_PRIORITY);
    double mbs = (acked(api) - acked0) / ((System.nanoTime() - t0) / 1e9) / 1e6;
    JsonObject peer = LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0);
    stop.set(true);
    LabPeer.await(bulk);
    System.out.println("REPORT " + new JsonObject().put("idleP50Ms", idle[0]).put("idleP99Ms", idle[1]).put("bulkP50Ms", underBulk[0])
      .put("bulkP99Ms", underBulk[1]).put("rttMs", peer.getDouble("rttMs")).put("bulkMbPerSec", Math.round(mbs * 100) / 100.0)
      .put("lostPackets", peer.getJsonObject("transport").getLong("lostPackets")).encode());
    System.out.flush();
  }

  /** Bytes of datagrams the peer acknowledged so far (the sender's transport statistics). */
  private static long acked(P2pClient api) throws Exception {
    return LabPeer.await(api.peers()).getJsonArray("peers").getJsonObject(0).getJsonObject("transport").getLong("bytesAcked");
  }

  /**
   * Sends {@code file} down a new byte stream to {@code peer}'s {@code address} and ends it: piped
   * from an {@code AsyncFile} read {@code readBytes} at a time, or by {@code P2pWriteStream.sendFile}.
   */
  static Future<Void> sendTo(io.vertx.core.Vertx vertx, P2pClient api, String peer, String address, Path file, int readBytes,
                             boolean sendFile) {
    if (sendFile) return api.openStream(peer, address).compose(ws -> ws.sendFile(file.toString()).compose(v -> ws.end()));
    return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true))
      .compose(f -> api.openStream(peer, address).compose(ws -> f.setReadBufferSize(readBytes).pipeTo(ws)));
  }

  /** Live heap after the last collection, all heap pools, bytes. */
  public static long liveHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) sum += pool.getCollectionUsage().getUsed();
    }
    return sum;
  }

  /** Writes {@code mib} MiB of seeded random bytes to {@code file} (the streams tests and benchmarks use it). */
  public static void writeRandom(Path file, int mib) throws Exception {
    Random r = new Random(mib);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mib; i++) {
        r.nextBytes(block);
        out.write(block);
      }
    }
  }

  /** The file's SHA-256, hex. */
  public static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
