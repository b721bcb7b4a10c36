package io.p2pnode.punch;

import io.p2pnode.wire.NatProfile;
import io.p2pnode.wire.NatType;
import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.*;

/** Roles and strategy order ({@link HardNatPlan}), and the probed ports ({@link PortSequence}). */
class HardNatPlanTest {
  static final NatProfile EASY = NatProfile.of(NatType.ENDPOINT_INDEPENDENT);
  static final NatProfile RANDOM = new NatProfile(NatType.ENDPOINT_DEPENDENT, NatProfile.Port.NOT_PRESERVED, NatProfile.Allocation.RANDOM);
  static final NatProfile SEQUENTIAL =
    new NatProfile(NatType.ENDPOINT_DEPENDENT, NatProfile.Port.NOT_PRESERVED, NatProfile.Allocation.SEQUENTIAL);

  @Test
  void roles() {
    assertEquals(HardNatPlan.Role.HARD, HardNatPlan.role(RANDOM, EASY));
    assertEquals(HardNatPlan.Role.EASY, HardNatPlan.role(EASY, RANDOM));
    assertNull(HardNatPlan.role(EASY, EASY), "plain punching");
    assertNull(HardNatPlan.role(RANDOM, SEQUENTIAL), "both hard: relay");
    assertNull(HardNatPlan.role(RANDOM, NatProfile.of(NatType.NONE)), "a public peer is reached by plain punching");
    assertNull(HardNatPlan.role(RANDOM, NatProfile.UNKNOWN));
  }

  @Test
  void retriesChangeStrategy() {
    assertEquals(Strategy.BIRTHDAY, HardNatPlan.strategy(RANDOM, 0));
    assertEquals(Strategy.PREDICTION, HardNatPlan.strategy(RANDOM, 1));
    assertEquals(Strategy.BIRTHDAY, HardNatPlan.strategy(RANDOM, 2));
    assertEquals(Strategy.PREDICTION, HardNatPlan.strategy(SEQUENTIAL, 0));
    assertEquals(Strategy.BIRTHDAY, HardNatPlan.strategy(SEQUENTIAL, 1));
    assertEquals(Strategy.BIRTHDAY, HardNatPlan.strategy(SEQUENTIAL, 5));
  }

  @Test
  void randomPortsAreDistinctAndInRange() {
    PortSequence s = new PortSequence(1, 0, 0);
    BitSet seen = new BitSet();
    for (int i = 0; i < 5_000; i++) {
      int p = s.next();
      assertTrue(p >= PortSequence.LOWEST && p <= PortSequence.HIGHEST, "port " + p);
      assertFalse(seen.get(p), "port " + p + " twice");
      seen.set(p);
    }
  }

  @Test
  void predictionWindowComesFirstThenRandomWithoutRepeats() {
    PortSequence s = new PortSequence(1, 40_001, 64);
    BitSet seen = new BitSet();
    for (int i = 0; i < 64; i++) {
      int p = s.next();
      assertEquals(40_001 + i, p);
      seen.set(p);
    }
    for (int i = 0; i < 64_512 - 64; i++) {
      int p = s.next();
      assertFalse(seen.get(p), "port " + p + " twice");
      seen.set(p);
    }
    assertEquals(-1, s.next(), "every port handed out");
  }
}
