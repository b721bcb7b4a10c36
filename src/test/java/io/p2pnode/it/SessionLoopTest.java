package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.P2pNodeVerticle;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A session an application opens runs on the application's event loop, whether it opens it with
 * {@code p2p.send} (before the peer is connected) or {@code p2p.connect}: its messages then reach
 * the session without a thread crossing. A session a peer opened runs on the loop of the
 * application that started the node, where its consumers are.
 */
class SessionLoopTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static P2pNode erin;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord));
    // bob is started by an application verticle on the second of its Vert.x's two loops, which also
    // registers bob's consumer; by load alone, the first session would go to the first loop
    Vertx bobVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    Context bobApp = ((VertxInternal) bobVertx).contextBuilder().withEventLoop(loopsOf(bobVertx).get(1)).build();
    bob = await(on(bobApp, () -> P2pNode.start(bobVertx, NodeOptions.fromJson(TestNodes.peer("bob", coord)))
      .compose(n -> bobVertx.eventBus().localConsumer("thread", m -> m.reply(Thread.currentThread().getName())).completion().map(n))));
    // erin is a P2pNodeVerticle that an application verticle on the first of its Vert.x's two loops
    // creates and deploys, registering erin's consumer there too
    Vertx erinVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    Context erinApp = ((VertxInternal) erinVertx).contextBuilder().withEventLoop(loopsOf(erinVertx).get(0)).build();
    P2pNodeVerticle erinVerticle = await(on(erinApp, () -> {
      P2pNodeVerticle v = new P2pNodeVerticle();
      return erinVertx.deployVerticle(v, new io.vertx.core.DeploymentOptions().setConfig(TestNodes.peer("erin", coord)))
        .compose(id -> erinVertx.eventBus().localConsumer("thread", m -> m.reply(Thread.currentThread().getName())).completion())
        .map(x -> v);
    }));
    erin = erinVerticle.node();
    nodes.startRegistered(TestNodes.peer("carol", coord)).vertx().eventBus().localConsumer("echo", m -> m.reply(m.body()));
    nodes.startRegistered(TestNodes.peer("dave", coord));
  }

  @AfterAll
  static void stop() {
    nodes.close();
    await(bob.stop());
    await(bob.vertx().close());
    await(erin.vertx().close()); // undeploys erin's verticle, which stops the node

  }

  private static java.util.List<io.netty.channel.EventLoop> loopsOf(Vertx vertx) {
    return io.p2pnode.session.VerticleSessionHost.loops(vertx);
  }

  @Test
  void aSessionRunsOnTheLoopOfTheApplicationThatOpenedIt() {
    // an application context on alice's second event loop
    java.util.List<io.netty.channel.EventLoop> loops = loopsOf(alice.vertx());
    VertxInternal vx = (VertxInternal) alice.vertx();
    assertEquals(2, loops.size());
    Context app = vx.contextBuilder().withEventLoop(loops.get(1)).build();
    String appLoop = threadOf(app);

    // carol by a request sent before any connect, dave by p2p.connect: spread by load, they would be
    // one on each loop
    assertEquals("hi", await(on(app, () -> alice.vertx().eventBus().<String>request(Addresses.REQUEST, "hi",
      new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.HEADER_TO, "carol").addHeader(Addresses.HEADER_ADDRESS, "echo"))
      .map(m -> m.body()))));
    await(on(app, () -> eventually(P2pClient.create(alice.vertx()), "dave")));

    JsonObject peers = await(P2pClient.create(alice.vertx()).peers());
    assertEquals(appLoop, threadOf(peers, "carol"));
    assertEquals(appLoop, threadOf(peers, "dave"));
  }

  @Test
  void aSessionAPeerOpenedRunsOnTheLoopOfTheApplicationThatStartedTheNode() {
    TestNodes.connectEventually(alice, "bob"); // retried while bob's registration is on its way
    String consumerThread = await(alice.vertx().eventBus().<String>request(Addresses.REQUEST, "",
      new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, "thread"))
      .map(m -> m.body()));
    assertEquals(consumerThread, threadOf(await(P2pClient.create(bob.vertx()).peers()), "alice"),
      "bob's session with alice delivers to bob's consumer without a thread crossing");
  }

  @Test
  void aSessionAPeerOpenedRunsOnTheLoopOfTheApplicationThatDeployedTheNodeVerticle() {
    TestNodes.connectEventually(alice, "erin");
    String consumerThread = await(alice.vertx().eventBus().<String>request(Addresses.REQUEST, "",
      new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.HEADER_TO, "erin").addHeader(Addresses.HEADER_ADDRESS, "thread"))
      .map(m -> m.body()));
    assertEquals(consumerThread, threadOf(await(P2pClient.create(erin.vertx()).peers()), "alice"),
      "erin's session with alice delivers to the deploying application's consumer without a thread crossing");
  }

  private static String threadOf(JsonObject peers, String peerId) {
    return peers.getJsonArray("peers").stream().map(JsonObject.class::cast).filter(p -> peerId.equals(p.getString("peerId")))
      .findFirst().orElseThrow(() -> new AssertionError("no session with " + peerId + ": " + peers)).getString("thread");
  }

  private static String threadOf(Context c) {
    return await(on(c, () -> Future.succeededFuture(Thread.currentThread().getName())));
  }

  private static <T> Future<T> on(Context c, java.util.function.Supplier<Future<T>> action) {
    Promise<T> p = Promise.promise();
    c.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }

  /** {@code p2p.connect}, again every 20 ms while the peer's registration is on its way (404), from the calling context. */
  private static Future<JsonObject> eventually(P2pClient api, String peerId) {
    return api.connect(peerId).recover(err -> err instanceof io.vertx.core.eventbus.ReplyException re && re.failureCode() == 404
      ? Future.<Void>future(p -> alice.vertx().setTimer(20, t -> p.complete())).compose(v -> eventually(api, peerId))
      : Future.failedFuture(err));
  }
}
