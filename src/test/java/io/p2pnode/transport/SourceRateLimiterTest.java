package io.p2pnode.transport;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.*;

/** The per-source-IP budget for control frames, on a manual clock. */
class SourceRateLimiterTest {
  final long[] now = {0};
  static final InetAddress A = addr("203.0.113.1");
  static final InetAddress B = addr("203.0.113.2");

  static InetAddress addr(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  int allowed(SourceRateLimiter l, InetAddress ip, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) if (l.allow(ip)) n++;
    return n;
  }

  @Test
  void aBurstOfTwiceTheRateThenTheRateItself() {
    SourceRateLimiter l = new SourceRateLimiter(100, 1000, () -> now[0]);
    assertEquals(200, allowed(l, A, 1000), "burst");
    assertEquals(200, allowed(l, B, 1000), "another source has its own budget");
    now[0] += 1_000_000_000L; // one second later
    assertEquals(100, allowed(l, A, 1000), "refilled at the rate");
    now[0] += 10_000_000L; // 10 ms
    assertEquals(1, allowed(l, A, 10));
  }

  @Test
  void zeroMeansUnlimited() {
    SourceRateLimiter l = new SourceRateLimiter(0, 10, () -> now[0]);
    assertEquals(100_000, allowed(l, A, 100_000));
    assertEquals(0, l.size());
  }

  @Test
  void theTableStaysBoundedAndIdleSourcesAreSwept() {
    SourceRateLimiter l = new SourceRateLimiter(10, 3, () -> now[0]);
    for (int i = 1; i <= 3; i++) assertTrue(l.allow(addr("198.51.100." + i)));
    assertEquals(3, l.size());
    // full, nobody idle yet: a new source passes untracked
    assertTrue(l.allow(addr("198.51.100.9")));
    assertEquals(3, l.size());
    now[0] += 1_000_000_000L; // all refilled: swept for the next newcomer
    assertTrue(l.allow(addr("198.51.100.10")));
    assertEquals(1, l.size());
  }
}
