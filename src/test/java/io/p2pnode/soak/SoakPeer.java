package io.p2pnode.soak;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * One soak peer: a node on its own Vert.x instance (restartable on the same port and key), the
 * traffic it sends to the other peers and the consumers that check what it receives.
 */
final class SoakPeer {
  static final String STREAM = "soak.stream";
  static final String ECHO = "soak.echo";
  static final String UNRELIABLE = "soak.unreliable";
  static final String BIG = "soak.big";
  static final int BURST = 32;
  static final int BIG_BYTES = 16 * 1024 * 1024;

  final String peerId;
  final int port;
  final Path keyFile;
  final StreamChecker checker = new StreamChecker();
  final AtomicLong confirmed = new AtomicLong();
  final AtomicLong failedSends = new AtomicLong();
  final AtomicLong echoes = new AtomicLong();
  final AtomicLong bigDelivered = new AtomicLong();
  final AtomicLong unreliableReceived = new AtomicLong();
  /** Faults counted by the node incarnations that have stopped. */
  long pastFaults;
  private final LinkedHashSet<String> recentUnreliable = new LinkedHashSet<>();
  private P2pNode node;
  private long incarnation;
  private final Map<String, Integer> epochs = new HashMap<>();
  private final Map<String, Long> nextSeq = new HashMap<>();
  private final Map<String, Boolean> burstOut = new HashMap<>();
  private long ticks;

  SoakPeer(String peerId, int port, Path keyFile) {
    this.peerId = peerId;
    this.port = port;
    this.keyFile = keyFile;
  }

  JsonObject config(int coordinatorPort) {
    return new JsonObject().put("peerId", peerId)
      .put("identity", new JsonObject().put("keyFile", keyFile.toString()))
      .put("listen", new JsonObject().put("host", "127.0.0.1").put("port", port).put("instances", 2))
      .put("bridge", new JsonObject().put("port", 0))
      .put("http", new JsonObject().put("port", 0))
      .put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + coordinatorPort))
      .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 8000))
      .put("session", new JsonObject().put("maxMessageBytes", BIG_BYTES + 4096));
  }

  /** Starts (or restarts) the node: a new incarnation, so its streams start over. */
  Future<Void> start(int coordinatorPort, List<SoakPeer> all) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    return P2pNode.start(vertx, NodeOptions.fromJson(config(coordinatorPort))).onFailure(e -> vertx.close()).map(n -> {
      node = n;
      synchronized (this) {
        incarnation = ThreadLocalRandom.current().nextLong();
        epochs.clear();
        nextSeq.clear();
        burstOut.clear();
      }
      consumers(n.vertx().eventBus());
      n.vertx().setPeriodic(100, t -> tick(all));
      return null;
    });
  }

  /** Stops the node gracefully (BYE to its peers) and closes its Vert.x; blocks (the soak's own thread). */
  void stop() {
    P2pNode n = node;
    node = null;
    if (n == null) return;
    try {
      pastFaults += TestNodes.await(io.p2pnode.bus.P2pClient.create(n.vertx()).status()).getLong("faults");
      TestNodes.await(n.stop());
    } finally {
      TestNodes.await(n.vertx().close());
    }
  }

  boolean running() {
    return node != null;
  }

  /** Faults of this peer so far (all incarnations). */
  Future<Long> faults() {
    P2pNode n = node;
    if (n == null) return Future.succeededFuture(pastFaults);
    return io.p2pnode.bus.P2pClient.create(n.vertx()).status().map(st -> pastFaults + st.getLong("faults")).otherwise(pastFaults);
  }

  private void consumers(EventBus eb) {
    eb.<Buffer>localConsumer(STREAM, m -> {
      Buffer b = m.body();
      checker.onMessage(m.headers().get(Addresses.HEADER_FROM) + "/" + b.getLong(0), b.getInt(8), b.getLong(12));
      m.reply(null);
    });
    eb.<String>localConsumer(ECHO, m -> m.reply(m.body()));
    eb.<Buffer>localConsumer(UNRELIABLE, m -> {
      unreliableReceived.incrementAndGet();
      String id = m.headers().get(Addresses.HEADER_FROM) + "/" + m.body().getLong(0) + "/" + m.body().getLong(8);
      synchronized (recentUnreliable) {
        if (!recentUnreliable.add(id)) checker.violation("unreliable message delivered twice: " + id);
        if (recentUnreliable.size() > 4096) recentUnreliable.remove(recentUnreliable.iterator().next());
      }
    });
    eb.<Buffer>localConsumer(BIG, m -> {
      Buffer b = m.body();
      CRC32 crc = new CRC32();
      crc.update(b.getBytes(8, b.length()));
      if (b.length() != BIG_BYTES || crc.getValue() != b.getLong(0)) checker.violation("large message corrupt from " + m.headers().get("from"));
      else bigDelivered.incrementAndGet();
      m.reply(null);
    });
    eb.<JsonObject>localConsumer(Addresses.PEER_DOWN, m -> {
      synchronized (this) {
        epochs.merge(m.body().getString("peerId"), 1, Integer::sum);
      }
    });
  }

  private void tick(List<SoakPeer> all) {
    P2pNode n = node;
    if (n == null) return;
    ticks++;
    EventBus eb = n.vertx().eventBus();
    for (SoakPeer to : all) {
      if (to == this) continue;
      burst(eb, to.peerId);
      if (ticks % 10 == 0) {
        echo(eb, to.peerId);
        unreliable(eb, to.peerId);
      }
    }
  }

  /** 32 sends without reply, then one with: the next burst waits for its confirmation. */
  private void burst(EventBus eb, String to) {
    long inc;
    int epoch;
    long first;
    synchronized (this) {
      if (Boolean.TRUE.equals(burstOut.get(to))) return;
      burstOut.put(to, true);
      inc = incarnation;
      epoch = epochs.getOrDefault(to, 0);
      first = nextSeq.getOrDefault(to, 0L);
      nextSeq.put(to, first + BURST + 1);
    }
    DeliveryOptions o = options(to, STREAM);
    for (int i = 0; i <= BURST; i++) {
      Buffer body = Buffer.buffer(200).appendLong(inc).appendInt(epoch).appendLong(first + i).appendBytes(new byte[180]);
      if (i < BURST) {
        eb.send(Addresses.SEND, body, o);
      } else {
        eb.request(Addresses.SEND, body, o).onComplete(ar -> {
          synchronized (this) {
            // a failed burst (peer restarting, not registered yet, session closed) may leave a gap: the
            // sender knows, so what follows starts a new epoch of the stream
            if (ar.failed()) epochs.merge(to, 1, Integer::sum);
            burstOut.put(to, false);
          }
          if (ar.succeeded()) confirmed.addAndGet(BURST + 1);
          else failedSends.incrementAndGet();
        });
      }
    }
  }

  private void echo(EventBus eb, String to) {
    String body = peerId + "->" + to + "#" + ThreadLocalRandom.current().nextLong();
    eb.<String>request(Addresses.REQUEST, body, options(to, ECHO)).onComplete(ar -> {
      if (ar.succeeded() && !body.equals(ar.result().body())) checker.violation("wrong echo: " + ar.result().body() + " for " + body);
      else if (ar.succeeded()) echoes.incrementAndGet();
    });
  }

  private void unreliable(EventBus eb, String to) {
    DeliveryOptions o = options(to, UNRELIABLE).addHeader(Addresses.HEADER_RELIABLE, "false");
    long inc;
    synchronized (this) {
      inc = incarnation;
    }
    for (int i = 0; i < 5; i++) eb.send(Addresses.SEND, Buffer.buffer().appendLong(inc).appendLong(ticks * 10 + i), o);
  }

  /** One 16 MiB message to {@code to}, checksummed; completes when confirmed (or failed). */
  Future<Void> big(String to) {
    P2pNode n = node;
    if (n == null) return Future.succeededFuture();
    byte[] payload = new byte[BIG_BYTES - 8];
    ThreadLocalRandom.current().nextBytes(payload);
    CRC32 crc = new CRC32();
    crc.update(payload);
    Buffer body = Buffer.buffer(BIG_BYTES).appendLong(crc.getValue()).appendBytes(payload);
    return n.vertx().eventBus().request(Addresses.SEND, body, options(to, BIG).setSendTimeout(60_000)
      .addHeader(Addresses.HEADER_TIMEOUT_MS, "55000")).<Void>mapEmpty().otherwise(e -> {
        failedSends.incrementAndGet();
        return null;
      });
  }

  private static DeliveryOptions options(String to, String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, to).addHeader(Addresses.HEADER_ADDRESS, address);
  }
}
