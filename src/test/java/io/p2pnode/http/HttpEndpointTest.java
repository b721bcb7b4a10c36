package io.p2pnode.http;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP endpoint of real nodes on loopback: Prometheus scrape, health, dashboard page and its live feed. */
class HttpEndpointTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;

  static JsonObject http(JsonObject config) {
    return config.put("http", new JsonObject().put("host", "127.0.0.1").put("port", TestNodes.freeTcpPort()));
  }

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(http(TestNodes.config("coord")));
    alice = nodes.startRegistered(http(TestNodes.peer("alice", coord)));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord));
    bob.vertx().eventBus().consumer("app.echo", m -> m.reply(m.body()));
    await(P2pClient.create(alice.vertx()).request("bob", "app.echo", "hello"));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static HttpResponse<String> get(P2pNode n, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort() + path)).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  /** Scrapes until {@code ok} holds (sampled meters follow the node within a second), at most 10 s. */
  static Prometheus scrapeUntil(P2pNode n, Predicate<Prometheus> ok) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      HttpResponse<String> r = get(n, "/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
      Prometheus p = Prometheus.parse(r.body());
      if (ok.test(p) || System.nanoTime() > deadline) return p;
      await(Future.future(pr -> n.vertx().setTimer(100, t -> pr.complete())));
    }
  }

  @Test
  void metricsAreValidPrometheusTextWithTheNodesMeters() throws Exception {
    try (DatagramSocket garbage = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      byte[] junk = {(byte) 0x7F, 1, 2, 3};
      garbage.send(new DatagramPacket(junk, junk.length, alice.udpAddress()));
    }
    Prometheus p = scrapeUntil(alice, m -> m.value("p2p_sessions", "path", "direct", "state", "UP") == 1
      && m.value("p2p_drops_total", "reason", "GARBAGE") >= 1 && m.value("p2p_rtt_seconds_count") >= 1
      // status and peers are two requests in one sample: the punch counters may follow a sample later
      && m.value("p2p_punch_attempts_total") >= 1 && m.value("p2p_punch_outcomes_total", "result", "direct") >= 1);
    assertEquals(1, p.value("p2p_sessions", "path", "direct", "state", "UP"), "alice has one direct session to bob");
    assertEquals(0, p.value("p2p_sessions", "path", "relay", "state", "UP"));
    assertEquals("gauge", p.types.get("p2p_sessions"));
    assertTrue(p.value("p2p_drops_total", "reason", "GARBAGE") >= 1, "the garbage datagram is counted");
    assertEquals("counter", p.types.get("p2p_drops_total"));
    assertTrue(p.value("p2p_frames_in_total") > 0);
    assertTrue(p.value("p2p_bytes_out_total") > 0);
    assertTrue(p.value("p2p_messages_out_total") >= 1, "the request to bob");
    assertTrue(p.value("p2p_retransmissions_total") >= 0);
    assertEquals("histogram", p.types.get("p2p_rtt_seconds"));
    assertTrue(p.value("p2p_rtt_seconds_count") >= 1);
    assertEquals("histogram", p.types.get("p2p_connect_seconds"));
    assertEquals(1, p.value("p2p_connect_seconds_count"), "one connect, to bob");
    assertEquals(1, p.value("p2p_connect_seconds_bucket", "le", "+Inf"));
    assertTrue(p.value("p2p_punch_attempts_total") >= 1);
    assertTrue(p.value("p2p_punch_outcomes_total", "result", "direct") >= 1);
    assertEquals(1, p.value("p2p_coordinator_registered", "coordinator", "127.0.0.1:" + coord.udpAddress().getPort()));
    assertEquals(0, p.value("p2p_event_loop_blocked"));
    assertTrue(p.value("p2p_heartbeat_ticks_total") >= 1);
    assertTrue(p.value("p2p_keepalives_sent_total") >= 0);

    Prometheus c = scrapeUntil(coord, m -> m.value("p2p_registry_peers") >= 2);
    assertTrue(c.value("p2p_registry_peers") >= 2, "alice and bob (and the coordinator's own node) registered at the coordinator");
    assertTrue(c.value("p2p_messages_in_total") >= 0);
    Prometheus b = scrapeUntil(alice, m -> true);
    assertTrue(Double.isNaN(b.value("p2p_registry_peers")), "alice is no coordinator");
  }

  @Test
  void bobCountsTheMessageHeReceived() {
    assertTrue(bob.counters().messagesInTotal() >= 1);
    assertTrue(alice.counters().messagesOutTotal() >= 1);
  }

  @Test
  void aNodeOnItsOwnVertxAlsoExportsVertxAndJvmMetrics() throws Exception {
    NodeOptions o = NodeOptions.fromJson(http(TestNodes.config("own")));
    P2pNode own = await(P2pNode.start(o));
    try {
      Prometheus p = scrapeUntil(own, m -> m.has("vertx_") && m.has("jvm_"));
      assertTrue(p.has("vertx_"), "Vert.x's own metrics");
      assertTrue(p.has("jvm_"), "JVM metrics");
      assertTrue(p.has("p2p_frames_in_total"));
    } finally {
      await(own.stop());
    }
  }

  @Test
  void healthIsUpWhenRegistered() throws Exception {
    HttpResponse<String> r = get(alice, "/health");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject h = new JsonObject(r.body());
    assertEquals("UP", h.getString("status"));
    JsonArray checks = h.getJsonArray("checks");
    assertEquals(4, checks.size(), r.body());
    for (Object c : checks) assertEquals("UP", ((JsonObject) c).getString("status"), r.body());
  }

  @Test
  void healthIs503WhenNoCoordinatorAnswers() throws Exception {
    int dead = TestNodes.freeUdpPort();
    JsonObject cfg = http(TestNodes.config("lonely").put("coordinator", new JsonObject().put("enabled", false))
      .put("rendezvous", new JsonArray().add("127.0.0.1:" + dead)));
    P2pNode lonely = nodes.start(cfg);
    HttpResponse<String> r = get(lonely, "/health");
    assertEquals(503, r.statusCode(), r.body());
    JsonObject h = new JsonObject(r.body());
    assertEquals("DOWN", h.getString("status"));
    JsonObject failing = HealthChecksTest.check(h, "coordinators");
    assertEquals("DOWN", failing.getString("status"));
    assertTrue(failing.getJsonObject("data").getString("reason").contains("not registered"), r.body());
    assertEquals("UP", HealthChecksTest.check(h, "listeners").getString("status"));
    nodes.stop(lonely);
  }

  @Test
  void aBlockedEventLoopShowsInStatusAndHealth() throws Exception {
    P2pNode n = nodes.start(http(TestNodes.config("blocky")));
    io.netty.util.concurrent.EventExecutor loop = ((io.vertx.core.internal.VertxInternal) n.vertx()).nettyEventLoopGroup().next();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_500);
    java.util.concurrent.CountDownLatch blocking = new java.util.concurrent.CountDownLatch(1);
    loop.execute(() -> { // fault injection: a handler that hogs its event loop
      blocking.countDown();
      while (System.nanoTime() < until) Thread.onSpinWait();
    });
    assertTrue(blocking.await(5, TimeUnit.SECONDS));
    boolean seen = false;
    while (System.nanoTime() < until - TimeUnit.MILLISECONDS.toNanos(300) && !seen) {
      HttpResponse<String> r = get(n, "/health");
      if (r.statusCode() == 503) {
        JsonObject loops = HealthChecksTest.check(new JsonObject(r.body()), "eventLoops");
        assertEquals("DOWN", loops.getString("status"), r.body());
        assertTrue(loops.getJsonObject("data").getLong("maxLagMs") >= 2_000, r.body());
        seen = true;
      }
    }
    assertTrue(seen, "/health said 503 while the loop was blocked");
    // once the loop is free again
    JsonObject st = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      st = await(P2pClient.create(n.vertx()).status()).getJsonObject("eventLoops");
      if (!st.getBoolean("blocked")) break;
      await(Future.future(p -> n.vertx().setTimer(100, t -> p.complete())));
    }
    assertEquals(false, st.getBoolean("blocked"), st.encode());
    assertEquals(200, get(n, "/health").statusCode());
    nodes.stop(n);
  }

  @Test
  void aTakenHttpPortStopsTheStartNamingTheKey() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      JsonObject cfg = TestNodes.config("taken").put("http", new JsonObject().put("port", taken.getLocalPort()));
      RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> nodes.start(cfg));
      assertTrue(e.getMessage().contains("cannot listen on http.port 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void statusShowsTheEventLoops() {
    JsonObject st = await(P2pClient.create(alice.vertx()).status()).getJsonObject("eventLoops");
    assertEquals(false, st.getBoolean("blocked"));
    assertEquals(2, st.getInteger("loops"), "TestNodes' Vert.x has two event loops");
    assertTrue(st.getLong("maxLagMs") >= 0);
  }

  @Test
  void dashboardIsOneSelfContainedPage() throws Exception {
    HttpResponse<String> r = get(alice, "/");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    String page = r.body();
    assertTrue(page.contains("new EventSource(\"events\")"), "live updates over SSE");
    for (String external : new String[] {"<script src", "<link ", "@import", "url(", "http://", "https://"}) {
      if (external.equals("http://")) {
        assertTrue(page.replace("http://www.w3.org/2000/svg", "").indexOf("http://") < 0, "no external reference: " + external);
      } else {
        assertTrue(!page.contains(external), "no external resource: " + external);
      }
    }
  }

  @Test
  void eventsStreamSamples() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + alice.httpPort() + "/events")).build();
    HttpResponse<java.util.stream.Stream<String>> r = HTTP.send(req, HttpResponse.BodyHandlers.ofLines());
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
    try (var lines = r.body()) {
      JsonObject[] got = lines.filter(l -> l.startsWith("data: ")).limit(2).map(l -> new JsonObject(l.substring(6))).toArray(JsonObject[]::new);
      assertEquals(2, got.length);
      JsonObject second = got[1];
      assertEquals("alice", second.getJsonObject("status").getString("peerId"));
      assertEquals("bob", second.getJsonArray("peers").getJsonObject(0).getString("peerId"));
      assertEquals(false, second.getBoolean("stale"));
    }
  }
}
