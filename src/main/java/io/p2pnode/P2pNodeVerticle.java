package io.p2pnode;

import io.p2pnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.VertxInternal;

/**
 * A whole node as one verticle on the application's own Vert.x instance:
 * {@code vertx.deployVerticle(new P2pNodeVerticle(), new DeploymentOptions().setConfig(json))}.
 * The config has the keys of the node's JSON file and is validated the same way (a bad key fails
 * the deployment with the {@link io.p2pnode.config.ConfigException} naming it); the environment
 * is not consulted. Undeploying it stops the node as {@link P2pNode#stop()} does: goodbye to
 * peers and coordinators, then every socket closed. One node per Vert.x instance (the API
 * addresses are per event bus).
 */
public final class P2pNodeVerticle extends VerticleBase {
  private P2pNode node;

  @Override
  public Future<?> start() {
    NodeOptions options;
    try {
      options = NodeOptions.fromJson(config());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // The node's verticles are deployed from a context of their own, not as children of this
    // deployment: Vert.x would undeploy children before stop() runs, and the node must say
    // goodbye through them first.
    var detached = ((VertxInternal) vertx).createEventLoopContext();
    return Future.<P2pNode>future(p -> detached.runOnContext(v -> P2pNode.start(vertx, options).onComplete(p)))
      .onSuccess(n -> node = n);
  }

  @Override
  public Future<?> stop() {
    return node == null ? Future.succeededFuture() : node.stop();
  }

  /** The running node (its peer id, bound addresses, counters); null before start. */
  public P2pNode node() {
    return node;
  }
}
