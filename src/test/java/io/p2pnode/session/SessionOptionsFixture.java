package io.p2pnode.session;

import io.p2pnode.config.NodeOptions;
import io.p2pnode.config.SessionOptions;
import io.vertx.core.json.JsonObject;

/** Session options for unit tests, through the real parser. */
final class SessionOptionsFixture {
  private SessionOptionsFixture() {
  }

  static SessionOptions of(long connectTimeoutMs, long punchIntervalMs, int maxInFlight) {
    return NodeOptions.fromJson(new JsonObject().put("session", new JsonObject().put("connectTimeoutMs", connectTimeoutMs)
      .put("punchIntervalMs", punchIntervalMs).put("maxInFlight", maxInFlight))).session();
  }
}
