package io.p2pnode.bench;

import io.p2pnode.config.NodeOptions;
import io.p2pnode.session.PeerSession;
import io.p2pnode.session.PunchStats;
import io.p2pnode.session.SessionDeps;
import io.p2pnode.session.SessionHandle;
import io.p2pnode.session.SessionListener;
import io.p2pnode.session.Path;
import io.p2pnode.session.Candidate;
import io.p2pnode.session.VerticleSessionHost;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.ListenerGroup;
import io.p2pnode.transport.UdpListenerVerticle;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.NatType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap taken by idle sessions: 10 000 session verticles on one node, each UP on a direct path
 * (towards an unused loopback port), measured as the heap difference after full collections.
 */
public final class SessionMemory {
  private SessionMemory() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("heartbeat", new JsonObject().put("intervalMs", 60_000)
      .put("timeoutMs", 600_000)));
    ListenerGroup group = new ListenerGroup();
    Counters counters = new Counters();
    await(vertx.deployVerticle(new UdpListenerVerticle(new InetSocketAddress("127.0.0.1", 0), true, 1 << 20, 1200,
      (s, d, f) -> { }, counters, group)));
    SessionDeps deps = new SessionDeps("mem", o.session(), o.heartbeat(), 1200, Scheduler.of(vertx), counters,
      (from, d) -> Future.succeededFuture(), () -> NatType.UNKNOWN, () -> null, new PunchStats(), new AtomicLong(), () -> o.heartbeat().intervalMs(), null);
    VerticleSessionHost host = new VerticleSessionHost(vertx, group, null);
    SessionListener quiet = new SessionListener() {
      public void onUp(PeerSession s) { }
      public void onDown(PeerSession s, String reason) { }
      public void onPathChanged(PeerSession s, Path previous) { }
    };
    long before = heap();
    List<SessionHandle> handles = new ArrayList<>(n);
    int upCount = 0;
    InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", 9); // discard port: nothing listens
    for (int i = 0; i < n; i++) {
      String peer = "peer-" + i;
      int sid = i + 1;
      SessionHandle h = await(host.open(null, socket -> new PeerSession(deps, peer, sid, socket, quiet)));
      PeerSession.State st = await(h.call(s -> {
        s.introduce(7, List.of(new Candidate(nowhere, Path.DIRECT)), null, NatType.UNKNOWN, io.p2pnode.TestKeys.of(peer));
        s.onHello(new ControlMessage.Hello(false, 7, peer, 1000 + sid, 0), nowhere);
        return Future.succeededFuture(s.state());
      }));
      handles.add(h);
      if (st == PeerSession.State.UP) upCount++;
    }
    long after = heap();
    long up = upCount;
    System.out.printf("idle sessions: %d (%d up), heap %.1f MB -> %.1f MB, %.0f bytes per session%n",
      n, up, before / 1e6, after / 1e6, (after - before) / (double) n);
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static long heap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(200); // let the collector settle between full collections
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
