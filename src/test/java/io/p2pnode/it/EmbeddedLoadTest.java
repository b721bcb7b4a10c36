package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An application embedded with its node drives {@code p2p.send} the way one drives the Vert.x
 * event bus: fire-and-forget {@code send}s with a {@code request} every 256th for credit, up to a
 * window in flight; the receiving application consumes on the receiving node's own event loop.
 * Every message must be consumed once and in order, with no StackOverflowError, no fault and no
 * blocked-thread warning anywhere in the log. Both ends run on a Vert.x of their own, whose loops
 * busy-poll, as {@code P2pNode.start(options)} gives an application.
 */
class EmbeddedLoadTest {
  private static final int CREDIT_EVERY = 256;
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static final List<LogRecord> trouble = new ArrayList<>();
  static final Handler watch = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String m = String.valueOf(r.getMessage());
      if (m.contains("has been blocked") || r.getThrown() instanceof StackOverflowError || m.contains("StackOverflowError")
        || m.contains("unexpected")) {
        synchronized (trouble) {
          trouble.add(r);
        }
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeAll
  static void start() {
    Logger.getLogger("").addHandler(watch);
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    // the sender keeps up to 16 384 unconfirmed sends: its queue must hold them (else 429, which a send without reply cannot see)
    // default liveness (the test config's 1 s would call a peer dead when a loaded CI machine stalls a JVM for a second)
    JsonObject heartbeat = new JsonObject().put("intervalMs", 5_000).put("timeoutMs", 15_000);
    // both on a Vert.x of their own, as P2pNode.start(options) gives an application: busy-polling loops
    alice = nodes.registered(nodes.startOwn(TestNodes.peer("alice", coord).put("heartbeat", heartbeat)
      .put("session", new JsonObject().put("maxInFlight", 32_768))));
    bob = nodes.registered(nodes.startOwn(TestNodes.peer("bob", coord).put("heartbeat", heartbeat)));
  }

  @AfterAll
  static void stop() {
    nodes.close();
    Logger.getLogger("").removeHandler(watch);
  }

  /** Consumes numbered messages on one of bob's event loops, checking order as they come. */
  static final class Consumer extends VerticleBase {
    final String address;
    final long total;
    final AtomicLong next = new AtomicLong();
    final Promise<Long> all = Promise.promise();
    volatile String error;

    Consumer(String address, long total) {
      this.address = address;
      this.total = total;
    }

    @Override
    public Future<?> start() {
      return vertx.eventBus().<Buffer>localConsumer(address, m -> {
        long seq = m.body().getLong(0);
        long expected = next.getAndIncrement();
        if (seq != expected && error == null) error = "got " + seq + " where " + expected + " was due";
        if (!"alice".equals(m.headers().get(Addresses.HEADER_FROM)) && error == null) error = "from " + m.headers().get("from");
        m.reply(seq);
        if (expected + 1 == total) all.complete(total); // a confirmation means "queued for the consumer": wait for it here
      }).completion();
    }
  }

  /** Sends {@code total} messages of {@code size} bytes from alice's event loop, at most {@code window} unconfirmed. */
  static final class Sender extends VerticleBase {
    final String address;
    final int size;
    final int window;
    final long total;
    final Promise<Long> done = Promise.promise();
    long sent;
    long confirmed;
    long failed;

    Sender(String address, int size, int window, long total) {
      this.address = address;
      this.size = size;
      this.window = window;
      this.total = total;
    }

    @Override
    public Future<?> start() {
      vertx.runOnContext(v -> pump());
      return Future.succeededFuture();
    }

    private void pump() {
      EventBus eb = vertx.eventBus();
      DeliveryOptions o = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, address);
      while (sent < total && sent - confirmed < window) {
        long seq = sent++;
        Buffer body = Buffer.buffer(size).appendLong(seq).appendBytes(new byte[size - 8]);
        if ((seq + 1) % CREDIT_EVERY == 0 || seq == total - 1) {
          eb.request(Addresses.SEND, body, o).onComplete(ar -> {
            if (ar.failed()) {
              failed++;
              done.tryFail(ar.cause());
              return;
            }
            confirmed = Math.max(confirmed, seq + 1); // in order: everything before it was handed over too
            if (confirmed == total) done.tryComplete(total);
            else pump();
          });
        } else {
          eb.send(Addresses.SEND, body, o);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} B, window {1}")
  @CsvSource({"64, 256", "64, 4096", "64, 16384", "1024, 256", "1024, 4096", "1024, 16384"})
  void everyMessageIsConsumedOnceAndInOrder(int size, int window) {
    String address = "load." + size + "." + window;
    long total = Math.max(20_000, 3L * window);
    Consumer consumer = new Consumer(address, total);
    await(bob.vertx().deployVerticle(consumer));
    Sender sender = new Sender(address, size, window, total);
    await(alice.vertx().deployVerticle(sender));
    Long done = await(sender.done.future());
    assertEquals(total, done);
    assertEquals(total, await(consumer.all.future()));
    assertNull(consumer.error, consumer.error);
    assertEquals(total, consumer.next.get(), "consumed once each");
    for (P2pNode n : List.of(alice, bob)) {
      JsonObject st = await(P2pClient.create(n.vertx()).status());
      assertEquals(0, st.getLong("faults"), n.peerId() + " faults");
      assertEquals(io.p2pnode.config.NodeOptions.DEFAULT_BUSY_POLL_MICROS, st.getJsonObject("transport").getLong("busyPollMicros"),
        n.peerId() + "'s loops busy-poll");
      assertNull(st.getJsonObject("counters").getJsonObject("drops").getLong("UNCONFIRMED_SEND_FAILED"), n.peerId() + ": " + st);
    }
    synchronized (trouble) {
      assertTrue(trouble.isEmpty(), () -> "the log shows trouble: " + trouble.stream().map(r -> r.getMessage() + " " + r.getThrown()).toList());
    }
  }
}
