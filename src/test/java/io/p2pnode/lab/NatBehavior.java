package io.p2pnode.lab;

/**
 * RFC 4787 NAT behaviour: how mappings are reused (§4.1) and which inbound packets a mapping
 * lets through (§5), plus hairpinning (§6) and the idle timeout of mappings (§4.3).
 */
public record NatBehavior(Dependence mapping, Dependence filtering, boolean hairpin, long idleTimeoutMs) {

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

  public static NatBehavior symmetric() {
    return new NatBehavior(Dependence.ADDRESS_AND_PORT_DEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT, false, 120_000);
  }

  public NatBehavior withHairpin(boolean on) {
    return new NatBehavior(mapping, filtering, on, idleTimeoutMs);
  }

  public NatBehavior withIdleTimeoutMs(long ms) {
    return new NatBehavior(mapping, filtering, hairpin, ms);
  }
}
