package io.p2pnode.punch;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The ports the easy side probes, each at most once: distinct random ports over 1 024–65 535
 * (where Linux {@code MASQUERADE --random-fully} allocates), optionally after a window of
 * consecutive ports above the hard side's last observed port (port prediction for sequential
 * allocators). Pure, seeded.
 */
public final class PortSequence {
  public static final int LOWEST = 1_024;
  public static final int HIGHEST = 65_535;
  private final BitSet used = new BitSet(HIGHEST + 1);
  private final SplittableRandom random;
  private int nextPredicted;
  private final int predictedEnd;
  private int handedOut;

  /**
   * @param predictFrom the first port of the consecutive window, or 0 for random ports only
   * @param window      how many consecutive ports before the random ones
   */
  public PortSequence(long seed, int predictFrom, int window) {
    this.random = new SplittableRandom(seed);
    this.nextPredicted = predictFrom <= 0 ? 0 : Math.max(LOWEST, predictFrom);
    this.predictedEnd = predictFrom <= 0 ? 0 : Math.min(HIGHEST + 1, nextPredicted + window);
  }

  /** The next port to probe; -1 once every port was handed out. */
  public int next() {
    if (handedOut >= HIGHEST - LOWEST + 1) return -1;
    while (nextPredicted > 0 && nextPredicted < predictedEnd) {
      int p = nextPredicted++;
      if (!used.get(p)) return take(p);
    }
    int p;
    do {
      p = LOWEST + random.nextInt(HIGHEST - LOWEST + 1);
    } while (used.get(p));
    return take(p);
  }

  private int take(int p) {
    used.set(p);
    handedOut++;
    return p;
  }
}
