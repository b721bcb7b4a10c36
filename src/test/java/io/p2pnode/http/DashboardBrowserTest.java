package io.p2pnode.http;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser (headless Chromium through chromedriver): alice, connected to
 * bob and carol, shows both peers with their path in the table and the picture, and the page
 * updates live as traffic flows. Saves {@code target/dashboard.png}. Required in CI (.ci/run
 * installs chromium and chromium-driver); skipped on a machine without them.
 */
class DashboardBrowserTest {
  static final Path SCREENSHOT = Path.of("target", "dashboard.png");

  @Test
  void bothPeersAndTheirPathsAppearAndUpdate() throws Exception {
    if (System.getenv("CI") != null) assertTrue(WebDriver.installed(), "chromium/chromedriver missing: .ci/run installs them");
    assumeTrue(WebDriver.installed(), "chromium and chromium-driver not installed (apt-get install chromium chromium-driver)");
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      P2pNode alice = nodes.startRegistered(HttpEndpointTest.http(TestNodes.peer("alice", coord)));
      P2pNode bob = nodes.startRegistered(TestNodes.peer("bob", coord));
      P2pNode carol = nodes.startRegistered(TestNodes.peer("carol", coord));
      for (P2pNode n : new P2pNode[] {bob, carol}) n.vertx().eventBus().consumer("app.sink", m -> m.reply("ok"));
      P2pClient client = P2pClient.create(alice.vertx());
      await(client.request("bob", "app.sink", "hi bob"));
      await(client.request("carol", "app.sink", "hi carol"));

      try (WebDriver browser = new WebDriver(1400, 1050)) {
        browser.open("http://127.0.0.1:" + alice.httpPort() + "/");
        String rows = "return Array.from(document.querySelectorAll('#peers tr[data-peer]'))"
          + ".map(r => r.dataset.peer + '=' + r.dataset.path + '/' + r.cells[1].textContent).sort().join(',')";
        String expected = "bob=direct/UP,carol=direct/UP";
        assertEquals(expected, waitFor(browser, alice, rows, expected), "both peers in the table, direct and up");
        assertEquals("alice", browser.eval("return document.getElementById('node-id').textContent"));
        String links = "return Array.from(document.querySelectorAll('#map path.link'))"
          + ".map(p => p.dataset.peer + ':' + p.getAttribute('class')).sort().join(',')";
        assertEquals("bob:link path-direct,carol:link path-direct", browser.eval(links), "one line per peer, drawn as direct");
        assertEquals(2L, ((Number) browser.eval("return document.querySelectorAll('#map g.peer').length")).longValue());
        assertEquals(1L, ((Number) browser.eval("return document.querySelectorAll('#map g.coordinator').length")).longValue(),
          "the coordinator in the picture");
        assertTrue(((String) browser.eval("return document.querySelector('#peers tr[data-peer=bob] td.rtt').textContent")).endsWith(" ms"),
          "bob's RTT shown");

        // live: traffic to bob shows up in the page without reloading it
        String traffic = "return document.getElementById('node-traffic').textContent";
        String before = (String) browser.eval(traffic);
        long samplesBefore = ((Number) browser.eval("return Number(document.getElementById('samples').textContent)")).longValue();
        Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
        for (int i = 0; i < 64; i++) await(client.request("bob", "app.sink", chunk));
        String after = waitForChange(browser, alice, traffic, before);
        assertTrue(!after.equals(before), "traffic figures updated live: " + before + " -> " + after);
        String throughput = "return document.querySelector('#peers tr[data-peer=bob] td.throughput').textContent";
        waitFor(browser, alice, "return " + throughput.substring(7) + ".endsWith('/s') ? 'rate' : 'none'", "rate");
        long samplesAfter = ((Number) browser.eval("return Number(document.getElementById('samples').textContent)")).longValue();
        assertTrue(samplesAfter > samplesBefore, "new samples arrived over SSE: " + samplesBefore + " -> " + samplesAfter);
        assertEquals("live", browser.eval("return document.getElementById('live').textContent"));
        browser.screenshot(SCREENSHOT);

        // every path kind is drawn its own way (loopback only makes direct ones: a sample with all kinds)
        browser.eval("events.close(); render({stale:false, status:{peerId:'alice', coordinators:[{address:'10.0.0.1:7700', registered:true}]},"
          + " peers:[{peerId:'d', state:'UP', path:'direct'}, {peerId:'l', state:'UP', path:'direct-lan'},"
          + " {peerId:'t', state:'UP', path:'direct-tcp'}, {peerId:'r', state:'UP', path:'relay', transports:{relay:{via:'10.0.0.1:7700'}}},"
          + " {peerId:'c', state:'CONNECTING', path:null}]}); return true");
        String drawn = "return Array.from(document.querySelectorAll('#map path.link')).map(p => p.dataset.peer + ':'"
          + " + p.getAttribute('stroke') + '/' + p.getAttribute('stroke-width') + '/' + p.getAttribute('stroke-dasharray')"
          + " + '/' + (p.getAttribute('d').match(/L/g) || []).length).sort().join(',')";
        assertEquals("c:#6e7681/1.5/3 3/1,d:var(--direct)/3//1,l:var(--lan)/5//1,r:var(--relay)/3/2 4/2,t:var(--tcp)/3/8 4/1",
          browser.eval(drawn), "five kinds, five styles; the relay line bends through its coordinator");
      }
      byte[] png = Files.readAllBytes(SCREENSHOT);
      assertTrue(png.length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG screenshot at " + SCREENSHOT);
    }
  }

  /** Evaluates {@code script} until it returns {@code expected} (at most 15 s); returns the last value. */
  static String waitFor(WebDriver browser, P2pNode clock, String script, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String v = String.valueOf(browser.eval(script));
    while (!v.equals(expected) && System.nanoTime() < deadline) {
      await(Future.future(p -> clock.vertx().setTimer(100, t -> p.complete())));
      v = String.valueOf(browser.eval(script));
    }
    return v;
  }

  /** Evaluates {@code script} until its value differs from {@code before} (at most 15 s). */
  static String waitForChange(WebDriver browser, P2pNode clock, String script, String before) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String v = String.valueOf(browser.eval(script));
    while (v.equals(before) && System.nanoTime() < deadline) {
      await(Future.future(p -> clock.vertx().setTimer(100, t -> p.complete())));
      v = String.valueOf(browser.eval(script));
    }
    return v;
  }
}
