package io.p2pnode.example;

import io.p2pnode.P2pNode;
import io.p2pnode.P2pNodeVerticle;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.ConfigException;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link P2pNodeVerticle} on an application's Vert.x, through the README's example. */
@ExtendWith(VertxExtension.class)
class EmbeddingTest {
  static final Path EXAMPLE = Path.of("src/test/java/io/p2pnode/example/EmbeddedNodeExample.java");

  @Test
  void theReadmeQuotesTheExampleThatRunsHere() throws Exception {
    String source = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
    String region = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(), source.indexOf("  // README:end"));
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String unindented = region.lines().map(l -> l.startsWith("  ") ? l.substring(2) : l).reduce("", (a, l) -> a + l + "\n");
    assertTrue(readme.contains("```java\n" + unindented + "```\n"),
      "README.md's section \"Use it from your Vert.x application\" must quote " + EXAMPLE + " between its markers, unindented:\n" + unindented);
  }

  @Test
  void twoEmbeddedNodesTalkAndUndeployingSaysGoodbye(VertxTestContext ctx) throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      P2pNode coord = nodes.start(TestNodes.config("coord"));
      String rendezvous = "127.0.0.1:" + coord.udpAddress().getPort();
      // as the README says: the native transport, for the SO_REUSEPORT listeners
      Vertx appA = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
      Vertx appB = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
      try {
        String aliceId = await(EmbeddedNodeExample.startNode(appA, "alice", rendezvous));
        await(EmbeddedNodeExample.startNode(appB, "bob", rendezvous));
        awaitRegistered(appB);
        EmbeddedNodeExample.receive(appB);
        assertEquals("echo: ping", await(EmbeddedNodeExample.talk(appA, "bob")));

        var gone = new java.util.concurrent.CompletableFuture<JsonObject>();
        appB.eventBus().<JsonObject>localConsumer(Addresses.PEER_DOWN, m -> gone.complete(m.body()));
        String aliceListen = await(P2pClient.create(appA).status()).getString("listen");
        int port = Integer.parseInt(aliceListen.substring(aliceListen.lastIndexOf(':') + 1));
        await(appA.undeploy(aliceId));
        JsonObject down = gone.get(10, TimeUnit.SECONDS);
        assertEquals("alice", down.getString("peerId"));
        assertEquals("peer said goodbye", down.getString("reason"), "undeploy stops the node cleanly: BYE first");
        try (java.net.DatagramSocket again = new java.net.DatagramSocket(port, java.net.InetAddress.getLoopbackAddress())) {
          assertEquals(port, again.getLocalPort(), "alice's UDP port is free again");
        }
        assertTrue(appA.deploymentIDs().isEmpty(), "nothing of the node left deployed: " + appA.deploymentIDs());
      } finally {
        await(appA.close());
        await(appB.close());
      }
    }
    ctx.completeNow();
  }

  @Test
  void aBadConfigFailsTheDeploymentNamingTheKey(Vertx vertx, VertxTestContext ctx) {
    JsonObject bad = new JsonObject().put("listen", new JsonObject().put("port", 70000)).put("http", new JsonObject().put("port", 0));
    vertx.deployVerticle(new P2pNodeVerticle(), new DeploymentOptions().setConfig(bad)).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertInstanceOf(ConfigException.class, err);
      assertEquals("listen.port", ((ConfigException) err).key());
      assertTrue(vertx.deploymentIDs().isEmpty());
      ctx.completeNow();
    })));
  }

  private static void awaitRegistered(Vertx vertx) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject st = await(P2pClient.create(vertx).status());
      if (st.getJsonArray("coordinators").getJsonObject(0).getBoolean("registered")) return;
      await(Future.future(p -> vertx.setTimer(20, t -> p.complete())));
    }
    throw new AssertionError("not registered");
  }
}
