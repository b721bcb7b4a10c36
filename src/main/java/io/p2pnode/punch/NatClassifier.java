package io.p2pnode.punch;

import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies this node's NAT from what coordinators observe (pure; {@link RendezvousClient} feeds
 * it). Per coordinator there are up to two observations: the public endpoint its main port saw,
 * and the one its probe port saw for a REGISTER sent right after the main port's answer.
 *
 * <ul>
 *   <li>mapping: our own private endpoint seen → {@link NatType#NONE}; one public endpoint at every
 *     destination → endpoint-independent; several → endpoint-dependent; fewer than two → unknown;
 *   <li>port: the main port saw our local port → preserved, another → not preserved;
 *   <li>allocation (endpoint-dependent only): the probe port's mapping, made just after the main
 *     port's, is a few ports above it ({@code 1..}{@link #SEQUENTIAL_GAP}) → sequential, else random.
 * </ul>
 * Two observations are little evidence: a sequential NAT busy with other hosts can look random
 * (the strategies then fall back to birthday probing, which also meets sequential allocators).
 */
public final class NatClassifier {
  /** Largest gap between two consecutive mappings of a sequential allocator (other hosts take ports between). */
  static final int SEQUENTIAL_GAP = 32;

  /** What one coordinator observed: its main port's view, and its probe port's ({@code null} when not seen). */
  public record Observation(InetSocketAddress main, InetSocketAddress probe) {
  }

  private NatClassifier() {
  }

  /** @param privateEndpoints this node's own endpoints (all share its local port) */
  public static NatProfile classify(List<Observation> observations, List<InetSocketAddress> privateEndpoints) {
    List<InetSocketAddress> seen = new ArrayList<>();
    for (Observation o : observations) {
      if (o.main() != null) seen.add(o.main());
      if (o.probe() != null) seen.add(o.probe());
    }
    for (InetSocketAddress o : seen) if (privateEndpoints.contains(o)) return NatProfile.of(NatType.NONE);
    NatType mapping = seen.size() < 2 ? NatType.UNKNOWN
      : seen.stream().distinct().count() == 1 ? NatType.ENDPOINT_INDEPENDENT : NatType.ENDPOINT_DEPENDENT;
    NatProfile.Port port = NatProfile.Port.UNKNOWN;
    InetSocketAddress first = observations.stream().map(Observation::main).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    if (first != null && !privateEndpoints.isEmpty()) {
      port = first.getPort() == privateEndpoints.get(0).getPort() ? NatProfile.Port.PRESERVED : NatProfile.Port.NOT_PRESERVED;
    }
    NatProfile.Allocation allocation = NatProfile.Allocation.UNKNOWN;
    if (mapping == NatType.ENDPOINT_DEPENDENT) {
      for (Observation o : observations) {
        if (o.main() == null || o.probe() == null) continue;
        int gap = o.probe().getPort() - o.main().getPort();
        allocation = gap >= 1 && gap <= SEQUENTIAL_GAP ? NatProfile.Allocation.SEQUENTIAL : NatProfile.Allocation.RANDOM;
        break;
      }
    }
    return new NatProfile(mapping, port, allocation);
  }
}
