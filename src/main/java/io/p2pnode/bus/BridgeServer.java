package io.p2pnode.bus;

import io.p2pnode.config.BridgeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;


/**
 * The TCP event-bus bridge (4-byte length + JSON frames) for applications in any language. Lets
 * in: the request API and the configured application addresses. Lets out: the node's events and
 * the configured application addresses (so a client can {@code register} for inbound messages).
 */
public final class BridgeServer {
  private final TcpEventBusBridge bridge;
  private final BridgeOptions options;

  public BridgeServer(Vertx vertx, BridgeOptions options) {
    this.options = options;
    io.vertx.ext.bridge.BridgeOptions b = new io.vertx.ext.bridge.BridgeOptions();
    for (String a : Addresses.API) b.addInboundPermitted(new PermittedOptions().setAddress(a));
    for (String a : Addresses.EVENTS) b.addOutboundPermitted(new PermittedOptions().setAddress(a));
    for (String regex : options.permitted()) {
      b.addInboundPermitted(new PermittedOptions().setAddressRegex(regex));
      b.addOutboundPermitted(new PermittedOptions().setAddressRegex(regex));
    }
    this.bridge = TcpEventBusBridge.create(vertx, b);
  }

  /** Starts listening on {@code bridge.host:bridge.port}; returns the bound port. */
  public Future<Integer> listen() {
    return bridge.listen(options.port(), options.host()).map(b -> options.port());
  }

  public Future<Void> close() {
    return bridge.close();
  }
}
