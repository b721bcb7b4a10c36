package io.p2pnode.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each of the node's health checks, made to fail through a fake {@link NodeProbe}. */
@ExtendWith(VertxExtension.class)
class HealthChecksTest {
  static final JsonObject HEALTHY = new JsonObject().put("listen", "127.0.0.1:7700").put("listeners", new JsonArray().add(10))
    .put("tcp", new JsonObject().put("listen", "127.0.0.1:7700"))
    .put("coordinators", new JsonArray().add(new JsonObject().put("address", "127.0.0.1:7710").put("registered", false))
      .add(new JsonObject().put("address", "127.0.0.1:7720").put("registered", true)));

  record Fake(Future<JsonObject> statusAnswer, JsonObject loops, Boolean member) implements NodeProbe {
    public Future<JsonObject> status() { return statusAnswer; }
    public JsonObject eventLoops() { return loops; }
    public Boolean clusterMember() { return member; }
  }

  static final JsonObject LOOPS_OK = new JsonObject().put("blocked", false).put("maxLagMs", 3).put("loops", 2);

  /** The check named {@code id} in a health answer. */
  static JsonObject check(JsonObject health, String id) {
    for (Object o : health.getJsonArray("checks")) {
      if (id.equals(((JsonObject) o).getString("id"))) return (JsonObject) o;
    }
    throw new AssertionError("no check " + id + " in " + health.encode());
  }

  private static void expect(Vertx vertx, VertxTestContext ctx, NodeProbe probe, String failing, String reason) {
    HealthChecks checks = NodeHealth.create(vertx, probe);
    checks.checkStatus().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject json = r.toJson();
      if (failing == null) {
        assertEquals("UP", json.getString("status"), json.encode());
      } else {
        assertEquals("DOWN", json.getString("status"), json.encode());
        JsonObject c = check(json, failing);
        assertEquals("DOWN", c.getString("status"), json.encode());
        assertTrue(c.getJsonObject("data").getString("reason").contains(reason), json.encode());
        for (Object o : json.getJsonArray("checks")) {
          JsonObject other = (JsonObject) o;
          if (!other.getString("id").equals(failing)) assertEquals("UP", other.getString("status"), "only " + failing + " fails: " + json.encode());
        }
      }
      ctx.completeNow();
    })));
  }

  @Test
  void allPass(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx, new Fake(Future.succeededFuture(HEALTHY), LOOPS_OK, null), null, null);
  }

  @Test
  void noCoordinatorsConfiguredPasses(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx, new Fake(Future.succeededFuture(HEALTHY.copy().put("coordinators", new JsonArray())), LOOPS_OK, true), null, null);
  }

  @Test
  void listenersNotBound(Vertx vertx, VertxTestContext ctx) {
    JsonObject st = HEALTHY.copy().put("listen", (String) null).put("listeners", new JsonArray());
    expect(vertx, ctx, new Fake(Future.succeededFuture(st), LOOPS_OK, null), "listeners", "not bound");
  }

  @Test
  void registeredNowhere(Vertx vertx, VertxTestContext ctx) {
    JsonObject st = HEALTHY.copy().put("coordinators", new JsonArray()
      .add(new JsonObject().put("address", "127.0.0.1:7710").put("registered", false)));
    expect(vertx, ctx, new Fake(Future.succeededFuture(st), LOOPS_OK, null), "coordinators", "not registered with any of its 1");
  }

  @Test
  void blockedEventLoop(Vertx vertx, VertxTestContext ctx) {
    JsonObject loops = new JsonObject().put("blocked", true).put("maxLagMs", 2_345).put("loops", 2);
    expect(vertx, ctx, new Fake(Future.succeededFuture(HEALTHY), loops, null), "eventLoops", "blocked for 2345 ms");
  }

  @Test
  void clusteredCoordinatorOutsideItsCluster(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx, new Fake(Future.succeededFuture(HEALTHY), LOOPS_OK, false), "cluster", "not a member");
  }

  @Test
  void statusNotAnsweringFailsTheChecksThatNeedIt(Vertx vertx, VertxTestContext ctx) {
    Promise<JsonObject> never = Promise.promise();
    HealthChecks checks = NodeHealth.create(vertx, new Fake(never.future(), LOOPS_OK, null));
    checks.checkStatus().onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject json = r.toJson();
      assertEquals("DOWN", json.getString("status"));
      assertEquals("DOWN", check(json, "listeners").getString("status"), json.encode());
      assertEquals("UP", check(json, "eventLoops").getString("status"), "answered without the control loop");
      ctx.completeNow();
    })));
  }
}
