package io.p2pnode;

import io.p2pnode.config.NodeOptions;
import io.p2pnode.session.VerticleSessionHost;
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
 * addresses are per event bus). Created on an event loop (in an application's verticle), the
 * node takes that loop as its home: sessions peers open run there, beside the application's
 * consumers.
 */
public final class P2pNodeVerticle extends VerticleBase {
  /** The context of the code that created this verticle (the deploying application's), or null. */
  private final io.vertx.core.Context creator = io.vertx.core.internal.ContextInternal.current();
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
    // goodbye through them first. It is on the event loop of the application that created this
    // verticle where there is one: that becomes the node's home loop, so sessions peers open run
    // where the application's consumers do (P2pNode.start from a verticle does the same).
    VertxInternal vx = (VertxInternal) vertx;
    io.netty.channel.EventLoop home = creator == null ? null : VerticleSessionHost.loopOf(vertx, creator);
    var detached = home == null ? vx.createEventLoopContext() : vx.contextBuilder().withEventLoop(home).build();
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
