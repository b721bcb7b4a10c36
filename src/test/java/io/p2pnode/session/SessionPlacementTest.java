package io.p2pnode.session;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Which event loop {@link VerticleSessionHost} gives a new session. */
class SessionPlacementTest {
  private Vertx vertx;
  private VerticleSessionHost host;
  private final List<EventLoop> loops = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
    loops.addAll(VerticleSessionHost.loops(vertx));
    host = new VerticleSessionHost(vertx, null, null);
  }

  @AfterEach
  void stop() {
    vertx.close();
  }

  @Test
  void anApplicationKeepsItsSessionsOnItsLoopUntilItHasTwoMoreThanTheLeastLoaded() {
    EventLoop app = loops.get(1);
    assertSame(app, host.place(app));
    assertSame(app, host.place(app), "2 against 0: still the application's loop");
    EventLoop third = host.place(app);
    assertNotSame(app, third, "3 against 0 would be too many");
    EventLoop fourth = host.place(app);
    assertNotSame(app, fourth, "2, 1, 0: the empty loop");
    assertNotSame(third, fourth);
    assertSame(app, host.place(app), "2, 1, 1: back on the application's loop");
    Map<EventLoop, Integer> count = new HashMap<>();
    for (int i = 0; i < 60; i++) count.merge(host.place(app), 1, Integer::sum);
    int max = count.values().stream().max(Integer::compare).orElseThrow();
    int min = loops.stream().mapToInt(l -> count.getOrDefault(l, 0)).min().orElseThrow();
    assertTrue(max - min <= VerticleSessionHost.AFFINITY_SLACK + 1, "many sessions spread over every loop: " + count.values());
  }

  @Test
  void sessionsPeersOpenGoToTheLeastLoadedLoop() {
    EventLoop app = loops.get(0);
    host.place(app);
    host.place(app);
    EventLoop a = host.place(null);
    EventLoop b = host.place(null);
    assertNotSame(app, a);
    assertNotSame(app, b);
    assertNotSame(a, b, "one each on the two empty loops");
  }

  @Test
  void sessionsPeersOpenPreferTheHomeLoopAsTheApplicationsDo() {
    EventLoop home = loops.get(2);
    host.homeLoop(home);
    assertSame(home, host.place(null));
    assertSame(home, host.place(null));
    assertNotSame(home, host.place(null), "3 against 0 would be too many");
    assertSame(loops.get(0), host.place(loops.get(0)), "an application's own loop still comes first for what it opens");
  }

  @Test
  void aLoopOfAnotherVertxIsNoPreference() {
    Vertx other = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      EventLoop foreign = VerticleSessionHost.loops(other).get(0);
      assertTrue(loops.contains(host.place(foreign)));
    } finally {
      other.close();
    }
  }
}
