package io.p2pnode.soak;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The soak's short form (2 minutes): restarts, a path flap or more, a coordinator kill, large
 * messages; no invariant broken, no fault, vitals flat. {@code bash bench/soak.sh 1800} is the long one.
 */
class SoakTest {
  @Test
  void twoMinutesOfChaosKeepEveryInvariant() throws Exception {
    Soak.Result r = new Soak(120).run();
    System.out.println(r.summary());
    assertEquals(0, r.violations(), r.firstViolation());
    assertEquals(0, r.faults(), "faults");
    assertNull(r.leak(), r.leak());
    assertTrue(r.confirmed() > 1000, r.summary());
    assertTrue(r.restarts() >= 2 && r.coordinatorKills() >= 1, r.summary());
    assertTrue(r.bigDelivered() >= 1, "a 16 MiB message arrived: " + r.summary());
  }
}
