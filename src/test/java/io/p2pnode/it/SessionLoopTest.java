package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
 * the session without a thread crossing.
 */
class SessionLoopTest {
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord));
    nodes.startRegistered(TestNodes.peer("bob", coord)).vertx().eventBus().localConsumer("echo", m -> m.reply(m.body()));
    nodes.startRegistered(TestNodes.peer("carol", coord)).vertx().eventBus().localConsumer("echo", m -> m.reply(m.body()));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  @Test
  void aSessionRunsOnTheLoopOfTheApplicationThatOpenedIt() {
    // an application context on alice's second event loop
    java.util.List<io.netty.channel.EventLoop> loops = new java.util.ArrayList<>();
    VertxInternal vx = (VertxInternal) alice.vertx();
    vx.nettyEventLoopGroup().forEach(e -> loops.add((io.netty.channel.EventLoop) e));
    assertEquals(2, loops.size());
    Context app = vx.contextBuilder().withEventLoop(loops.get(1)).build();
    String appLoop = threadOf(app);

    // bob by a request sent before any connect, carol by p2p.connect: spread by load, they would be
    // one on each loop
    assertEquals("hi", await(on(app, () -> alice.vertx().eventBus().<String>request(Addresses.REQUEST, "hi",
      new io.vertx.core.eventbus.DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob").addHeader(Addresses.HEADER_ADDRESS, "echo"))
      .map(m -> m.body()))));
    await(on(app, () -> eventually(P2pClient.create(alice.vertx()), "carol")));

    JsonObject peers = await(P2pClient.create(alice.vertx()).peers());
    assertEquals(appLoop, threadOf(peers, "bob"));
    assertEquals(appLoop, threadOf(peers, "carol"));
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
