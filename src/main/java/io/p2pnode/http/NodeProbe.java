package io.p2pnode.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What the health checks ask the node; a test gives a fake one to make each check fail. */
public interface NodeProbe {
  /** {@code p2p.status}, or a failure when the node does not answer. */
  Future<JsonObject> status();

  /** The event-loop watchdog's {@code {"blocked","maxLagMs","loops"}}, answered without any event loop. */
  JsonObject eventLoops();

  /** Null when the node is not a clustered coordinator; else whether it is a member of the cluster now. */
  Boolean clusterMember();
}
