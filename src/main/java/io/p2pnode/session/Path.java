package io.p2pnode.session;

/** How a session reaches its peer, as reported in the API ({@code path}). */
public enum Path {
  /** Straight to a private (LAN) endpoint of the peer. */
  DIRECT_LAN("direct-lan"),
  /** Straight to the peer's public (NAT-mapped) endpoint. */
  DIRECT("direct"),
  /** Over a TCP connection made directly between the peers. */
  DIRECT_TCP("direct-tcp"),
  /** Through a coordinator. */
  RELAY("relay");

  private final String wireName;

  Path(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in API replies and events. */
  public String wireName() {
    return wireName;
  }
}
