package io.p2pnode.registry;

import io.p2pnode.config.Endpoints;
import io.p2pnode.wire.NatType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a coordinator knows about a registered peer.
 *
 * @param observed         the public endpoint the coordinator sees the peer's packets come from;
 *                         {@code null} for the coordinator's own node (reached at the coordinator's address)
 * @param privateEndpoints the endpoints the peer reports for itself (LAN addresses)
 * @param natType          the NAT mapping behaviour the peer detected
 * @param owner            id of the coordinator that holds the peer's NAT mapping
 * @param expiresAtMs      wall-clock expiry, refreshed by each registration
 */
public record PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                         NatType natType, String owner, long registeredAtMs, long expiresAtMs) {

  public JsonObject toJson() {
    JsonArray priv = new JsonArray();
    privateEndpoints.forEach(e -> priv.add(Endpoints.format(e)));
    return new JsonObject().put("peerId", peerId)
      .put("observed", observed == null ? null : Endpoints.format(observed))
      .put("privateEndpoints", priv).put("natType", natType.wireName()).put("owner", owner)
      .put("registeredAtMs", registeredAtMs).put("expiresAtMs", expiresAtMs);
  }
}
