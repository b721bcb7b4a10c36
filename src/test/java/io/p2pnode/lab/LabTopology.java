package io.p2pnode.lab;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.List;

/** Builds lab scenarios: a coordinator on the internet and peers behind NATs of given types. */
public final class LabTopology {
  public static final InetSocketAddress COORDINATOR = new InetSocketAddress(LabNetwork.addr("198.51.100.1"), 7700);

  /** The NAT in front of a peer, or none. */
  public enum NatType {
    NONE(null),
    FULL_CONE(NatBehavior.fullCone()),
    RESTRICTED_CONE(NatBehavior.restrictedCone()),
    PORT_RESTRICTED_CONE(NatBehavior.portRestrictedCone()),
    SYMMETRIC(NatBehavior.symmetric()),
    SYMMETRIC_SEQUENTIAL(NatBehavior.symmetricSequential());

    public final NatBehavior behavior;

    NatType(NatBehavior behavior) {
      this.behavior = behavior;
    }
  }

  /**
   * Time for peers to register and detect their NAT type: REGISTER, the coordinator's challenge,
   * the proven REGISTER and its ack, then the probe REGISTER; three round trips of up to 30 ms.
   */
  public static final long REGISTERED_MS = 100;

  public final LabNetwork net;
  public final LabNode coordinator;

  public LabTopology(LabNetwork net) {
    this(net, new LabNode(net, net.internet.host("198.51.100.1"), 7700, config("coord", true), List.of()));
  }

  /** With a coordinator built by the caller (at {@link #COORDINATOR}). */
  public LabTopology(LabNetwork net, LabNode coordinator) {
    this.net = net;
    this.coordinator = coordinator;
  }

  public static JsonObject config(String peerId, boolean coordinator) {
    return new JsonObject().put("peerId", peerId)
      .put("coordinator", new JsonObject().put("enabled", coordinator))
      .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 5000))
      .put("session", new JsonObject().put("connectTimeoutMs", 3000));
  }

  /** A peer behind a NAT of {@code type} whose public address is {@code publicIp}, on LAN address 192.168.1.10. */
  public LabNode peer(String peerId, NatType type, String publicIp) {
    return peer(peerId, type, publicIp, new JsonObject());
  }

  /** As {@link #peer(String, NatType, String)}, with {@code extra} merged (deeply) into its config. */
  public LabNode peer(String peerId, NatType type, String publicIp, JsonObject extra) {
    LabHost host = type == NatType.NONE
      ? net.internet.host(publicIp)
      : net.internet.nat("nat-" + peerId, publicIp, type.behavior).host("192.168.1.10");
    return new LabNode(net, host, 7700, config(peerId, false).mergeIn(extra, true), List.of(COORDINATOR));
  }

  /** Advances the clock in 1 ms steps until {@code f} completes or {@code maxMs} pass; returns elapsed ms. */
  public long runUntil(Future<?> f, long maxMs) {
    long start = net.clock.clock().millis();
    while (!f.isComplete() && net.clock.clock().millis() - start < maxMs) net.clock.advance(1);
    return net.clock.clock().millis() - start;
  }

  /** Advances the clock by {@code ms}. */
  public void run(long ms) {
    net.clock.advance(ms);
  }
}
