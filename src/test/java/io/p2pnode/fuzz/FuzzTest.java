package io.p2pnode.fuzz;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.UdpListenerVerticle;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * 1 000 000 hostile datagrams ({@link DatagramFuzzer}) at a running coordinator and a peer with a
 * live session, while that session carries real traffic: no exception reaches an event loop or a
 * handler, every datagram the listeners took is accounted for by a counter, memory stays
 * bounded, and every real message arrives once and in order.
 */
class FuzzTest {
  static final int DATAGRAMS = 1_000_000;
  static final int MESSAGES = 2_000;

  @Test
  void aMillionHostileDatagramsAreCountedAndRealTrafficCarriesOn() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord").put("coordinator", new JsonObject().put("maxPeers", 5_000)));
      P2pNode alice = nodes.startRegistered(TestNodes.peer("alice", coord)
        .put("heartbeat", new JsonObject().put("intervalMs", 500).put("timeoutMs", 5_000)));
      P2pNode bob = nodes.startRegistered(TestNodes.peer("bob", coord)
        .put("heartbeat", new JsonObject().put("intervalMs", 500).put("timeoutMs", 5_000)));
      AtomicLong escaped = new AtomicLong();
      for (P2pNode n : new P2pNode[] {coord, alice, bob}) n.vertx().exceptionHandler(t -> escaped.incrementAndGet());
      assertEquals("direct", TestNodes.connectEventually(alice, "bob").getString("path"));
      long heapBefore = usedHeapAfterGc();

      // real traffic alice -> bob all through the fuzzing
      AtomicLong received = new AtomicLong();
      AtomicLong outOfOrder = new AtomicLong();
      bob.vertx().eventBus().<String>localConsumer("app.seq", m -> {
        if (Long.parseLong(m.body()) != received.getAndIncrement()) outOfOrder.incrementAndGet();
      });
      AtomicLong confirmed = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long[] sent = {0};
      DeliveryOptions to = new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, "app.seq");
      long timer = alice.vertx().setPeriodic(5, t -> {
        if (sent[0] < MESSAGES) alice.vertx().eventBus().request(Addresses.SEND, String.valueOf(sent[0]++), to)
          .onComplete(ar -> (ar.succeeded() ? confirmed : failed).incrementAndGet());
      });

      DatagramFuzzer fuzzer = new DatagramFuzzer(20261122L);
      InetSocketAddress[] targets = {coord.udpAddress(), bob.udpAddress()};
      try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
        for (int i = 0; i < DATAGRAMS; i++) {
          ch.send(ByteBuffer.wrap(fuzzer.next()), targets[i & 1]);
          if ((i & 255) == 255) LockSupport.parkNanos(1_000_000); // pace: ~250 k/s, what the kernel buffers absorb
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((sent[0] < MESSAGES || confirmed.get() + failed.get() < MESSAGES) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50); // waiting on another thread's progress counters
      }
      alice.vertx().cancelTimer(timer);

      assertEquals(0, escaped.get(), "exceptions reached an event loop");
      for (P2pNode n : new P2pNode[] {coord, bob}) {
        assertEquals(0, n.counters().drops(Drop.HANDLER_ERROR), n.peerId() + ": a handler threw");
        long took = n.listeners().stream().mapToLong(UdpListenerVerticle::received).sum();
        JsonObject c = n.counters().toJson();
        long accounted = c.getLong("framesIn") + c.getLong("stunAnswered")
          + c.getJsonObject("drops").stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
        assertTrue(accounted >= took, n.peerId() + ": " + took + " datagrams taken, only " + accounted + " counted: " + c.encode());
        System.out.printf("%s took %d hostile datagrams; counters %s%n", n.peerId(), took, c.encode());
      }
      assertEquals(MESSAGES, confirmed.get(), "real messages confirmed (" + failed.get() + " failed)");
      assertEquals(MESSAGES, received.get());
      assertEquals(0, outOfOrder.get());
      JsonObject st = await(P2pClient.create(coord.vertx()).status());
      assertTrue(st.getInteger("sessions") <= 2, "no sessions from garbage: " + st.getInteger("sessions"));
      long heapAfter = usedHeapAfterGc();
      assertTrue(heapAfter - heapBefore < 64L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB");
      System.out.printf("fuzz: %d datagrams by kind %s; heap %+d MB%n", DATAGRAMS, Arrays.toString(fuzzer.counts),
        (heapAfter - heapBefore) >> 20);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
