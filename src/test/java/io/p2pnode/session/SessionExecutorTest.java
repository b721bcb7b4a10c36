package io.p2pnode.session;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link SessionExecutor} on a real event loop: work from an application context on the session's
 * loop runs at once on the session's context; it never overtakes work queued before it, nor runs in
 * the middle of session code; what it throws is contained.
 */
@ExtendWith(VertxExtension.class)
class SessionExecutorTest {
  Vertx vertx;
  ContextInternal session;
  ContextInternal app;
  final List<Throwable> contained = new ArrayList<>();
  SessionExecutor executor;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    VertxInternal vx = (VertxInternal) vertx;
    session = vx.contextBuilder().build();
    app = vx.contextBuilder().withEventLoop(session.nettyEventLoop()).build();
    assertNotSame(session, app);
    executor = new SessionExecutor(session, contained::add);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void fromAnApplicationOnTheSessionsLoopItRunsAtOnceOnTheSessionsContext(VertxTestContext ctx) {
    app.runOnContext(v -> {
      List<String> seen = new ArrayList<>();
      executor.execute(() -> seen.add(Vertx.currentContext() == session ? "session" : "other"));
      seen.add("returned");
      ctx.verify(() -> {
        assertEquals(List.of("session", "returned"), seen);
        assertSame(app, Vertx.currentContext(), "the application's context is current again");
      });
      ctx.completeNow();
    });
  }

  @Test
  void itNeverOvertakesWorkQueuedBeforeIt(VertxTestContext ctx) {
    List<Integer> order = new ArrayList<>();
    app.runOnContext(v -> {
      // another thread hands over work while the loop is busy here: it is queued
      Thread other = new Thread(() -> executor.execute(() -> order.add(1)));
      other.start();
      try {
        other.join();
      } catch (InterruptedException e) {
        ctx.failNow(e);
        return;
      }
      executor.execute(() -> order.add(2)); // on the loop, but behind 1
      ctx.verify(() -> assertEquals(List.of(), order, "2 waits for 1"));
      executor.execute(() -> {
        ctx.verify(() -> assertEquals(List.of(1, 2), order));
        ctx.completeNow();
      });
    });
  }

  @Test
  void workHandedOverFromInsideSessionCodeRunsAfterIt(VertxTestContext ctx) {
    List<Integer> order = new ArrayList<>();
    app.runOnContext(v -> executor.execute(() -> {
      order.add(1);
      // the session delivers to an application handler on its own context, which sends again at once
      app.dispatch(null, x -> executor.execute(() -> order.add(3)));
      order.add(2);
    }));
    app.runOnContext(v -> executor.execute(() -> {
      ctx.verify(() -> assertEquals(List.of(1, 2, 3), order));
      ctx.completeNow();
    }));
  }

  @Test
  void whatWorkThrowsIsContainedAndLaterWorkStillRuns(VertxTestContext ctx) {
    app.runOnContext(v -> {
      executor.execute(() -> {
        throw new IllegalStateException("boom");
      });
      executor.execute(() -> {
        ctx.verify(() -> {
          assertEquals(1, contained.size());
          assertEquals("boom", contained.get(0).getMessage());
        });
        ctx.completeNow();
      });
    });
  }
}
