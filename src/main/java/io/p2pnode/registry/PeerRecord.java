package io.p2pnode.registry;

import io.p2pnode.config.Endpoints;
import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.PeerKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a coordinator knows about a registered peer. Shared between clustered coordinators as
 * its JSON form ({@link #toJson()} / {@link #fromJson(JsonObject)}).
 *
 * @param observed         the public endpoint the coordinator sees the peer's packets come from;
 *                         {@code null} for the coordinator's own node (reached at the coordinator's address)
 * @param privateEndpoints the endpoints the peer reports for itself (LAN addresses)
 * @param nat              the NAT profile the peer detected (mapping, port preservation, allocation)
 * @param owner            id of the coordinator that holds the peer's NAT mapping
 * @param key              the peer's X25519 public key, as it registered
 * @param registeredAtMs   time of the registration (or refresh) this record comes from: the
 *                         coordinator's clock locally, wall-clock time in the shared registry,
 *                         where the newest one wins when partitioned registries merge
 * @param expiresAtMs      expiry, refreshed by each registration (same clock as {@code registeredAtMs})
 * @param observedTcp      the public endpoint of the peer's TCP registration connection, or {@code null};
 *                         on the coordinator holding that connection, its {@code transport.TcpEndpoint}
 * @param tcpPort          the peer's TCP port (its private TCP endpoints: private addresses with this port); 0 = no TCP
 * @param observedOther    a dual-stack peer registering over both IP families: the endpoint its UDP registrations come
 *                         from over the family other than {@code observed}'s (IPv6 when {@code observed} is IPv4), or {@code null}
 */
public record PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                         NatProfile nat, String owner, PeerKey key, long registeredAtMs, long expiresAtMs,
                         InetSocketAddress observedTcp, int tcpPort, InetSocketAddress observedOther) {

  /** A record with the NAT mapping type only. */
  public PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                    NatType natType, String owner, PeerKey key, long registeredAtMs, long expiresAtMs,
                    InetSocketAddress observedTcp, int tcpPort, InetSocketAddress observedOther) {
    this(peerId, observed, privateEndpoints, NatProfile.of(natType), owner, key, registeredAtMs, expiresAtMs, observedTcp, tcpPort,
      observedOther);
  }

  /** A record of a peer that registered over one IP family. */
  public PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                    NatProfile nat, String owner, PeerKey key, long registeredAtMs, long expiresAtMs,
                    InetSocketAddress observedTcp, int tcpPort) {
    this(peerId, observed, privateEndpoints, nat, owner, key, registeredAtMs, expiresAtMs, observedTcp, tcpPort, null);
  }

  /** A record of a peer that registered over one IP family, with the NAT mapping type only. */
  public PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                    NatType natType, String owner, PeerKey key, long registeredAtMs, long expiresAtMs,
                    InetSocketAddress observedTcp, int tcpPort) {
    this(peerId, observed, privateEndpoints, NatProfile.of(natType), owner, key, registeredAtMs, expiresAtMs, observedTcp, tcpPort);
  }

  /** The NAT mapping behaviour the peer detected. */
  public NatType natType() {
    return nat.mapping();
  }

  /** A record of a peer that registered over UDP only. */
  public PeerRecord(String peerId, InetSocketAddress observed, List<InetSocketAddress> privateEndpoints,
                    NatType natType, String owner, PeerKey key, long registeredAtMs, long expiresAtMs) {
    this(peerId, observed, privateEndpoints, natType, owner, key, registeredAtMs, expiresAtMs, null, 0);
  }

  /** The coordinator's own node: no endpoint observed over either transport. */
  public boolean ownNode() {
    return observed == null && observedTcp == null;
  }

  /**
   * Where the coordinator sends to this peer: its TCP registration connection while that is
   * open (reliable, and the only way in when the peer's network blocks UDP), else its UDP endpoint.
   */
  public InetSocketAddress reachAt() {
    if (observedTcp instanceof io.p2pnode.transport.TcpEndpoint t && t.link().isOpen()) return t;
    return observed;
  }

  /** Whether {@code sender} is where this peer registered from, over either transport and either IP family. */
  public boolean registeredFrom(InetSocketAddress sender) {
    return sender != null && (sender.equals(observed) || sender.equals(observedTcp) || sender.equals(observedOther));
  }

  /** The same record with another time of registration and expiry (moving it to another clock). */
  public PeerRecord at(long registeredAtMs, long expiresAtMs) {
    return new PeerRecord(peerId, observed, privateEndpoints, nat, owner, key, registeredAtMs, expiresAtMs, observedTcp, tcpPort,
      observedOther);
  }

  /**
   * The endpoints to introduce this peer with besides its public one: its private endpoints, and
   * {@link #observedOther} when it is not among them (room permitting).
   */
  public List<InetSocketAddress> introducedEndpoints() {
    if (observedOther == null || privateEndpoints.contains(observedOther)
      || privateEndpoints.size() >= io.p2pnode.wire.WireBuf.MAX_ENDPOINTS) {
      return privateEndpoints;
    }
    List<InetSocketAddress> out = new ArrayList<>(privateEndpoints.size() + 1);
    out.add(observedOther);
    out.addAll(privateEndpoints);
    return List.copyOf(out);
  }

  public JsonObject toJson() {
    JsonArray priv = new JsonArray();
    privateEndpoints.forEach(e -> priv.add(Endpoints.format(e)));
    return new JsonObject().put("peerId", peerId)
      .put("observed", observed == null ? null : Endpoints.format(observed))
      .put("privateEndpoints", priv).put("natType", nat.wireName()).put("nat", nat.code()).put("owner", owner).put("key", key.base64())
      .put("registeredAtMs", registeredAtMs).put("expiresAtMs", expiresAtMs)
      .put("observedTcp", observedTcp == null ? null : Endpoints.format(observedTcp)).put("tcpPort", tcpPort)
      .put("observedOther", observedOther == null ? null : Endpoints.format(observedOther));
  }

  /**
   * The record {@link #toJson()} wrote.
   *
   * @throws IllegalArgumentException when {@code json} is not such a record
   */
  public static PeerRecord fromJson(JsonObject json) {
    try {
      List<InetSocketAddress> priv = new ArrayList<>();
      for (Object e : json.getJsonArray("privateEndpoints")) priv.add(Endpoints.parse("privateEndpoints", (String) e));
      String observed = json.getString("observed");
      String tcp = json.getString("observedTcp");
      String other = json.getString("observedOther");
      int tcpPort = json.getInteger("tcpPort", 0);
      if (tcpPort < 0 || tcpPort > 65_535) throw new IllegalArgumentException("tcpPort " + tcpPort);
      return new PeerRecord(json.getString("peerId"), observed == null ? null : Endpoints.parse("observed", observed),
        List.copyOf(priv), json.getInteger("nat") != null ? NatProfile.of(json.getInteger("nat"))
          : NatProfile.of(NatType.fromWireName(json.getString("natType"))), json.getString("owner"),
        PeerKey.fromBase64(json.getString("key")),
        json.getLong("registeredAtMs"), json.getLong("expiresAtMs"),
        tcp == null ? null : Endpoints.parse("observedTcp", tcp), tcpPort,
        other == null ? null : Endpoints.parse("observedOther", other));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a peer record: " + e.getMessage(), e);
    }
  }
}
