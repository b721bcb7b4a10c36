package io.p2pnode.punch;

/** How a session found its path: shown per peer in {@code p2p.peers} and counted per strategy in {@code p2p.status}. */
public enum Strategy {
  /** HELLOs to the candidates the coordinator introduced (cone NATs, LAN, public peers). */
  PUNCH,
  /** The hard side's many sockets meet the easy side's probes to random ports. */
  BIRTHDAY,
  /** As birthday, probing the ports just above the hard side's last mapping first (sequential allocators). */
  PREDICTION,
  /** TCP simultaneous open. */
  TCP,
  /** Through the coordinator. */
  RELAY;

  /** The name in JSON. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
