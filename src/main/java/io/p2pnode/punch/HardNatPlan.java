package io.p2pnode.punch;

import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;

/**
 * Which hard-NAT strategy a pair runs on its n-th try, decided alike on both sides from the two
 * NAT profiles the coordinator passed on (pure).
 *
 * <ul>
 *   <li>one side endpoint-dependent ("hard"), the other endpoint-independent ("easy"): the hard
 *     side opens sockets towards the easy side, the easy side probes the hard side's ports;
 *   <li>first try: {@link Strategy#PREDICTION} when the hard side allocates sequentially, else
 *     {@link Strategy#BIRTHDAY}; second try: the other one; later tries: birthday with fresh sockets;
 *   <li>both endpoint-dependent, or either unknown: none (plain punching, TCP and the relay).
 * </ul>
 */
public final class HardNatPlan {
  /** This side's part in a try. */
  public enum Role { HARD, EASY }

  private HardNatPlan() {
  }

  /** This side's role, or {@code null} when the pair has no hard-NAT strategy. */
  public static Role role(NatProfile local, NatProfile remote) {
    boolean localHard = local.mapping() == NatType.ENDPOINT_DEPENDENT;
    boolean remoteHard = remote.mapping() == NatType.ENDPOINT_DEPENDENT;
    if (localHard && remote.mapping() == NatType.ENDPOINT_INDEPENDENT) return Role.HARD;
    if (remoteHard && local.mapping() == NatType.ENDPOINT_INDEPENDENT) return Role.EASY;
    return null;
  }

  /** The strategy of try {@code attempt} (0 = at the introduction) given the hard side's profile. */
  public static Strategy strategy(NatProfile hardSide, int attempt) {
    boolean sequential = hardSide.allocation() == NatProfile.Allocation.SEQUENTIAL;
    return switch (attempt) {
      case 0 -> sequential ? Strategy.PREDICTION : Strategy.BIRTHDAY;
      case 1 -> sequential ? Strategy.BIRTHDAY : Strategy.PREDICTION;
      default -> Strategy.BIRTHDAY;
    };
  }
}
