package io.p2pnode.cli;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The command-line subcommands against nodes with bridges. */
class CliTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static String aliceBridge;
  static String bobBridge;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    int a = TestNodes.freeTcpPort();
    int b = TestNodes.freeTcpPort();
    aliceBridge = "127.0.0.1:" + a;
    bobBridge = "127.0.0.1:" + b;
    JsonObject bridge = new JsonObject().put("permitted", new JsonArray().add("p2p\\.inbound").add("app\\..*"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord).put("bridge", bridge.copy().put("port", a)));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord).put("bridge", bridge.copy().put("port", b)));
    bob.vertx().eventBus().<String>localConsumer("app.upper", m -> m.reply(m.body().toUpperCase()));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  /** Exit code, stdout and stderr of one run. */
  record Run(int code, String out, String err) {
  }

  static Run cli(String command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
      .run(command, List.of(args));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void statusPrintsTheNodeStatus() {
    Run r = cli("status", "--bridge", aliceBridge);
    assertEquals(0, r.code(), r.err());
    assertEquals("alice", new JsonObject(r.out()).getString("peerId"));
  }

  @Test
  void connectThenPeersShowsTheSession() {
    Run c = cli("connect", "--bridge", aliceBridge, "bob");
    assertEquals(0, c.code(), c.err());
    assertEquals("direct", new JsonObject(c.out()).getString("path"));
    Run p = cli("peers", "--bridge", aliceBridge);
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("\"peerId\" : \"bob\""), p.out());
  }

  @Test
  void sendIsPrintedByListenOnTheOtherNode() throws Exception {
    CompletableFuture<Run> listen = CompletableFuture.supplyAsync(() -> cli("listen", "--bridge", bobBridge, "--address", "app.chat", "--count", "1"));
    Run sent;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    do {
      // 404 until the listener's registration reached bob's event bus
      sent = cli("send", "--bridge", aliceBridge, "--to", "bob", "--address", "app.chat", "hello from the cli");
    } while (sent.code() != 0 && sent.err().contains("error 404") && System.nanoTime() < deadline);
    assertEquals(0, sent.code(), sent.err());
    assertEquals("bob", new JsonObject(sent.out()).getString("to"));
    Run l = listen.get(10, TimeUnit.SECONDS);
    assertEquals(0, l.code(), l.err());
    assertEquals("[alice] hello from the cli", l.out().trim());
  }

  @Test
  void requestPrintsTheRemoteReply() {
    Run r = cli("request", "--bridge", aliceBridge, "--to", "bob", "--address", "app.upper", "shout");
    assertEquals(0, r.code(), r.err());
    assertEquals("SHOUT", r.out().trim());
  }

  @Test
  void jsonBodies() {
    Run bad = cli("send", "--bridge", aliceBridge, "--to", "bob", "--json", "{not json");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--json"), bad.err());
  }

  @Test
  void failureCodesExitOneWithTheCode() {
    Run r = cli("send", "--bridge", aliceBridge, "--to", "nobody", "x");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("error 404"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, cli("send", "--bridge", aliceBridge, "no recipient").code());
    assertEquals(2, cli("status", "--frobnicate").code());
    assertEquals(2, cli("send", "--to").code());
    assertEquals(2, cli("connect", "--bridge", aliceBridge).code());
    Run r = cli("status", "--bridge", "nohostport");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--bridge"), r.err());
  }

  @Test
  void unreachableBridgeSaysSo() {
    Run r = cli("status", "--bridge", "127.0.0.1:" + TestNodes.freeTcpPort());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("cannot reach the node's bridge"), r.err());
  }
}
