package io.p2pnode.wire;

/**
 * A NAT's mapping behaviour (RFC 4787 §4.1) as a node detects it and reports it in REGISTER, and
 * as INTRODUCE passes it on. Filtering is not detected: punching from both sides opens it.
 */
public enum NatType {
  /** Not detected (one observation only). */
  UNKNOWN(0, "unknown"),
  /** The coordinator sees a private endpoint of ours: no NAT on the path. */
  NONE(1, "none"),
  /** The same public mapping towards every destination ("cone"): punching works. */
  ENDPOINT_INDEPENDENT(2, "endpoint-independent"),
  /** A new mapping per destination ("symmetric"): punching fails against filtering NATs, relay. */
  ENDPOINT_DEPENDENT(3, "endpoint-dependent");

  private final int code;
  private final String wireName;

  NatType(int code, String wireName) {
    this.code = code;
    this.wireName = wireName;
  }

  public int code() {
    return code;
  }

  /** The name used in {@code p2p.status} and counters. */
  public String wireName() {
    return wireName;
  }

  /** The type for a wire byte; unknown values decode as {@link #UNKNOWN}. */
  public static NatType of(int code) {
    for (NatType t : values()) if (t.code == code) return t;
    return UNKNOWN;
  }

  /** The type {@link #wireName()} names; unknown names give {@link #UNKNOWN}. */
  public static NatType fromWireName(String name) {
    for (NatType t : values()) if (t.wireName.equals(name)) return t;
    return UNKNOWN;
  }
}
