package io.p2pnode.http;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * The node's health checks; {@code /health} is UP only when all pass:
 * <ul>
 *   <li>{@code listeners}: the UDP listeners are bound (and the node answers {@code p2p.status});</li>
 *   <li>{@code coordinators}: registered with at least one of its {@code rendezvous} coordinators (passes with none configured);</li>
 *   <li>{@code eventLoops}: no event loop blocked ({@link io.p2pnode.metrics.LoopWatchdog});</li>
 *   <li>{@code cluster}: a clustered coordinator is a member of its cluster (passes when not clustered).</li>
 * </ul>
 */
public final class NodeHealth {
  /** A check not answered this fast fails: an orchestrator's probe typically times out after 1-5 s. */
  public static final long CHECK_TIMEOUT_MS = 1_000;

  private NodeHealth() {
  }

  public static HealthChecks create(Vertx vertx, NodeProbe probe) {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("listeners", CHECK_TIMEOUT_MS, p -> withStatus(probe, p, st -> {
      String udp = st.getString("listen");
      JsonArray listeners = st.getJsonArray("listeners", new JsonArray());
      JsonObject tcp = st.getJsonObject("tcp");
      JsonObject data = new JsonObject().put("udp", udp).put("udpListeners", listeners.size())
        .put("tcp", tcp == null ? null : tcp.getString("listen"));
      return udp != null && !listeners.isEmpty() ? Status.OK(data) : Status.KO(data.put("reason", "UDP listeners not bound"));
    }));
    checks.register("coordinators", CHECK_TIMEOUT_MS, p -> withStatus(probe, p, st -> {
      JsonArray cs = st.getJsonArray("coordinators", new JsonArray());
      JsonArray registered = new JsonArray();
      JsonArray not = new JsonArray();
      for (Object o : cs) {
        JsonObject c = (JsonObject) o;
        (Boolean.TRUE.equals(c.getBoolean("registered")) ? registered : not).add(c.getString("address"));
      }
      JsonObject data = new JsonObject().put("registered", registered).put("notRegistered", not);
      return cs.isEmpty() || !registered.isEmpty() ? Status.OK(data)
        : Status.KO(data.put("reason", "not registered with any of its " + cs.size() + " coordinators"));
    }));
    checks.register("eventLoops", CHECK_TIMEOUT_MS, p -> {
      JsonObject loops = probe.eventLoops();
      p.complete(Boolean.TRUE.equals(loops.getBoolean("blocked"))
        ? Status.KO(loops.copy().put("reason", "an event loop has been blocked for " + loops.getLong("maxLagMs") + " ms"))
        : Status.OK(loops));
    });
    checks.register("cluster", CHECK_TIMEOUT_MS, p -> {
      Boolean member = probe.clusterMember();
      if (member == null) p.complete(Status.OK(new JsonObject().put("clustered", false)));
      else if (member) p.complete(Status.OK(new JsonObject().put("clustered", true).put("member", true)));
      else p.complete(Status.KO(new JsonObject().put("clustered", true).put("member", false)
        .put("reason", "cluster.enabled but not a member of the cluster")));
    });
    return checks;
  }

  private static void withStatus(NodeProbe probe, Promise<Status> p, java.util.function.Function<JsonObject, Status> check) {
    probe.status().onComplete(ar -> {
      if (ar.failed()) {
        p.tryComplete(Status.KO(new JsonObject().put("reason", "p2p.status did not answer: " + ar.cause().getMessage())));
      } else {
        p.tryComplete(check.apply(ar.result()));
      }
    });
  }
}
