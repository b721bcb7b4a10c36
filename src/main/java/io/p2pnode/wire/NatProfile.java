package io.p2pnode.wire;

import io.vertx.core.json.JsonObject;

/**
 * What a node knows of its NAT: the mapping behaviour ({@link NatType}), whether the NAT keeps
 * the source port, and how it allocates new public ports. Registrations and introductions carry
 * it in the byte that held the mapping type alone:
 *
 * <pre>
 *  7   6   5   4   3   2   1   0
 * +-------+-------+---------------+
 * | alloc | port  |   mapping     |   mapping: {@link NatType#code()}
 * +-------+-------+---------------+   port: 0 unknown, 1 preserved, 2 not preserved
 *                                     alloc: 0 unknown, 1 sequential, 2 random
 * </pre>
 * A node that knows only the mapping writes the same byte as before (high bits 0).
 */
public record NatProfile(NatType mapping, Port port, Allocation allocation) {
  /** Nothing known. */
  public static final NatProfile UNKNOWN = new NatProfile(NatType.UNKNOWN, Port.UNKNOWN, Allocation.UNKNOWN);

  /** Whether new mappings keep the host's source port. */
  public enum Port { UNKNOWN, PRESERVED, NOT_PRESERVED }

  /** How the NAT picks the public port of a new mapping. */
  public enum Allocation {
    UNKNOWN, SEQUENTIAL, RANDOM;

    /** The name in {@code p2p.status}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public NatProfile {
    java.util.Objects.requireNonNull(mapping);
    java.util.Objects.requireNonNull(port);
    java.util.Objects.requireNonNull(allocation);
  }

  /** A profile with the mapping type only. */
  public static NatProfile of(NatType mapping) {
    return new NatProfile(mapping, Port.UNKNOWN, Allocation.UNKNOWN);
  }

  /** The wire byte. */
  public int code() {
    return mapping.code() | port.ordinal() << 4 | allocation.ordinal() << 6;
  }

  /** The profile of a wire byte; values this version does not know decode as unknown. */
  public static NatProfile of(int code) {
    int p = code >> 4 & 3;
    int a = code >> 6 & 3;
    return new NatProfile(NatType.of(code & 0x0F), p < Port.values().length ? Port.values()[p] : Port.UNKNOWN,
      a < Allocation.values().length ? Allocation.values()[a] : Allocation.UNKNOWN);
  }

  /** The mapping type's name ({@code natType} in {@code p2p.status}, as before). */
  public String wireName() {
    return mapping.wireName();
  }

  /** {@code {"mapping","portPreserving","allocation"}} for {@code p2p.status} ({@code portPreserving} null when unknown). */
  public JsonObject toJson() {
    return new JsonObject().put("mapping", mapping.wireName())
      .put("portPreserving", port == Port.UNKNOWN ? null : port == Port.PRESERVED)
      .put("allocation", allocation.wireName());
  }

  @Override
  public String toString() {
    return mapping.wireName() + "/" + port.name().toLowerCase(java.util.Locale.ROOT) + "/" + allocation.wireName();
  }
}
