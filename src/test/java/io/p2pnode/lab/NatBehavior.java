package io.p2pnode.lab;

/**
 * RFC 4787 NAT behaviour: how mappings are reused (§4.1) and which inbound packets a mapping
 * lets through (§5), plus hairpinning (§6), the idle timeout of mappings (§4.3) and how new
 * public ports are allocated (§4.2.1: sequential or random).
 */
public record NatBehavior(Dependence mapping, Dependence filtering, boolean hairpin, long idleTimeoutMs, Allocation allocation) {

  /** How a new mapping that cannot keep the source port gets its public port. */
  public enum Allocation {
    /** The next free port from 40 000 up (many home routers, and the lab's default). */
    SEQUENTIAL,
    /** A random free port over 1 024–65 535, as Linux {@code MASQUERADE --random-fully}. */
    RANDOM
  }

  /** Sequential allocation. */
  public NatBehavior(Dependence mapping, Dependence filtering, boolean hairpin, long idleTimeoutMs) {
    this(mapping, filtering, hairpin, idleTimeoutMs, Allocation.SEQUENTIAL);
  }

  /** Endpoint-independent, address-dependent or address-and-port-dependent. */
  public enum Dependence { ENDPOINT_INDEPENDENT, ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT }

  /** RFC 4787 NAT types used by the scenario matrix ("cone" names in brackets). */
  public static NatBehavior fullCone() {
    return new NatBehavior(Dependence.ENDPOINT_INDEPENDENT, Dependence.ENDPOINT_INDEPENDENT, false, 120_000);
  }

  public static NatBehavior restrictedCone() {
    return new NatBehavior(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_DEPENDENT, false, 120_000);
  }

  public static NatBehavior portRestrictedCone() {
    return new NatBehavior(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT, false, 120_000);
  }

  /** Symmetric with random ports (Linux {@code --random-fully}, carrier NATs): reached by birthday probing. */
  public static NatBehavior symmetric() {
    return new NatBehavior(Dependence.ADDRESS_AND_PORT_DEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT, false, 120_000,
      Allocation.RANDOM);
  }

  /** Symmetric with sequential ports: reached by port prediction. */
  public static NatBehavior symmetricSequential() {
    return new NatBehavior(Dependence.ADDRESS_AND_PORT_DEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT, false, 120_000,
      Allocation.SEQUENTIAL);
  }

  public NatBehavior withHairpin(boolean on) {
    return new NatBehavior(mapping, filtering, on, idleTimeoutMs, allocation);
  }

  public NatBehavior withIdleTimeoutMs(long ms) {
    return new NatBehavior(mapping, filtering, hairpin, ms, allocation);
  }
}
