package io.p2pnode.transport;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A node on a Vert.x of its own busy-polls {@code busyPollMicros} ({@link BusyPollTransport}),
 * says so in {@code p2p.status}, and its loops block again once idle; 0 turns it off.
 */
class BusyPollNodeTest {
  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aNodeOnItsOwnVertxBusyPollsAndStatusSaysHowLong() {
    P2pNode node = nodes.startOwn(TestNodes.config("poller"));
    assertEquals(NodeOptions.DEFAULT_BUSY_POLL_MICROS, BusyPollTransport.micros(node.vertx()));
    JsonObject st = await(P2pClient.create(node.vertx()).status());
    assertEquals(NodeOptions.DEFAULT_BUSY_POLL_MICROS, st.getJsonObject("transport").getLong("busyPollMicros"), st.encode());
    assertTrue(node.vertx().isNativeTransportEnabled(), "busy-polling is epoll's: " + st.getJsonObject("transport"));
  }

  @Test
  void zeroTurnsItOffAndAnEmbeddingVertxKeepsItsOwnTransport() {
    P2pNode off = nodes.startOwn(TestNodes.config("blocker").put("busyPollMicros", 0));
    assertEquals(0, await(P2pClient.create(off.vertx()).status()).getJsonObject("transport").getLong("busyPollMicros"));
    P2pNode embedded = nodes.start(TestNodes.config("embedded").put("busyPollMicros", 200)); // the key is for Vert.x the node creates
    assertEquals(0, await(P2pClient.create(embedded.vertx()).status()).getJsonObject("transport").getLong("busyPollMicros"));
  }

  @Test
  void anApplicationCanBuildItsVertxOnIt() {
    Vertx vertx = Vertx.builder().withTransport(BusyPollTransport.epoll(75)).build();
    try {
      assertEquals(75, BusyPollTransport.micros(vertx));
      assertTrue(vertx.isNativeTransportEnabled());
      assertEquals("fired", await(Future.future(p -> vertx.setTimer(20, t -> p.complete("fired")))), "timers still fire");
    } finally {
      await(vertx.close());
    }
  }

  /** Idle loops block: over half a second they use a small part of it, where spinning would use all of it. */
  @Test
  void idleLoopsStopPolling() throws Exception {
    P2pNode node = nodes.startOwn(TestNodes.config("idler").put("heartbeat", new JsonObject().put("intervalMs", 5_000)));
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<Long> loops = new ArrayList<>();
    for (io.netty.util.concurrent.EventExecutor e : ((VertxInternal) node.vertx()).nettyEventLoopGroup()) {
      loops.add(e.submit(() -> Thread.currentThread().getId()).get(10, java.util.concurrent.TimeUnit.SECONDS));
    }
    long before = loops.stream().mapToLong(mx::getThreadCpuTime).sum();
    long t0 = System.nanoTime();
    await(Future.future(p -> node.vertx().setTimer(500, t -> p.complete())));
    long wall = System.nanoTime() - t0;
    long cpu = loops.stream().mapToLong(mx::getThreadCpuTime).sum() - before;
    assertTrue(cpu < wall * loops.size() / 4, loops.size() + " loops used " + cpu / 1_000_000 + " ms of CPU in " + wall / 1_000_000 + " ms");
  }
}
