package io.p2pnode.dataplane;

import io.p2pnode.time.ManualScheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Path MTU discovery on a manual clock against a simulated path that carries datagrams up to a
 * size (and a peer that reads up to another): the search ends at what both allow, within the
 * resolution, with bounded probes; black holes and late peers are handled.
 */
class PathMtuTest {
  static final int BASE = 1200;

  /** A path: probes that {@code arrives} lets through are answered after 1 ms; the peer reads up to {@code peerMax}. */
  static final class SimPath {
    final ManualScheduler clock = new ManualScheduler();
    final List<Integer> probes = new ArrayList<>();
    IntPredicate arrives;
    int peerMax;
    PathMtu pmtu;

    SimPath(IntPredicate arrives, int peerMax) {
      this.arrives = arrives;
      this.peerMax = peerMax;
      pmtu = new PathMtu(clock, new RttEstimator(), BASE, size -> {
        probes.add(size);
        if (this.arrives.test(size) && size <= this.peerMax) {
          int max = this.peerMax;
          clock.schedule(1, () -> pmtu.onAck(size, max));
        }
      }, "peer");
    }
  }

  @Test
  void loopbackSettlesOnTheCeilingInTwoProbes() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.pmtu.pathUp(65_507);
    assertEquals(PathMtu.State.BASE, p.pmtu.state());
    assertEquals(BASE, p.pmtu.current(), "nothing larger before the search confirmed it");
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    assertEquals(PathMtu.State.SEARCH_COMPLETE, p.pmtu.state());
    assertEquals(65_507, p.pmtu.current());
    assertEquals(List.of(BASE, 65_507), p.probes);
  }

  @Test
  void anEthernetPathIsFoundByBinarySearchWithinTheResolution() {
    SimPath p = new SimPath(size -> size <= 1472, 65_507);
    p.pmtu.pathUp(9_000); // the interface says 9000 (jumbo), a hop in between carries 1500
    p.clock.advance(10_000);
    assertEquals(PathMtu.State.SEARCH_COMPLETE, p.pmtu.state());
    int found = p.pmtu.current();
    assertTrue(found <= 1472 && found > 1472 - PathMtu.SEARCH_RESOLUTION, "found " + found);
    // every failing size costs MAX_PROBES probes, every other one probe: about log2(7800/16) sizes
    assertTrue(p.probes.size() < 40, "probes " + p.probes.size());
    assertTrue(p.probes.stream().allMatch(s -> s >= BASE && s <= 9_000), "probes " + p.probes);
  }

  @Test
  void thePeersReadLimitCapsTheSearchAndItIsAskedAgainLater() {
    SimPath p = new SimPath(size -> true, BASE); // its connected socket is not open yet: it reads 1200 only
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    assertEquals(PathMtu.State.SEARCH_COMPLETE, p.pmtu.state());
    assertEquals(BASE, p.pmtu.current());
    assertEquals(List.of(BASE), p.probes, "no probe above what the peer reads");
    p.peerMax = 65_507; // its socket opened
    p.clock.advance(PathMtu.PEER_RECHECK_MS + 10);
    assertEquals(65_507, p.pmtu.current());
  }

  @Test
  void aLimitedPeerIsNotAskedForEver() {
    SimPath p = new SimPath(size -> true, BASE);
    p.pmtu.pathUp(65_507);
    p.clock.advance(10 * PathMtu.PEER_RECHECK_MS);
    assertEquals(1 + PathMtu.PEER_RECHECKS, p.probes.size(), "probes " + p.probes);
  }

  @Test
  void aBlackHoleIsConfirmedThenTheSearchStartsAgainFromTheBase() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    assertEquals(65_507, p.pmtu.current());
    p.arrives = size -> size <= 8_000; // the route changed
    int sent = p.probes.size();
    p.pmtu.onBlackHole();
    p.clock.advance(PathMtu.MAX_PROBES * PathMtu.INITIAL_PROBE_TIMEOUT_MS - 1);
    assertEquals(65_507, p.pmtu.current(), "still the size in use while it is confirmed");
    assertEquals(List.of(65_507, 65_507, 65_507), p.probes.subList(sent, p.probes.size()));
    p.clock.advance(2);
    assertEquals(BASE, p.pmtu.current(), "unconfirmed: the base size at once");
    p.clock.advance(10_000);
    assertTrue(p.pmtu.current() <= 8_000 && p.pmtu.current() > 8_000 - PathMtu.SEARCH_RESOLUTION, "found " + p.pmtu.current());
    assertEquals(1L, p.pmtu.toJson().getLong("blackHoles"));
  }

  @Test
  void aBusyPeerIsAFalseAlarmAndTheSizeStays() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    int sent = p.probes.size();
    p.pmtu.onBlackHole();
    p.pmtu.onBlackHole(); // the data plane says it again meanwhile: one confirmation
    p.clock.advance(1_000);
    assertEquals(65_507, p.pmtu.current());
    assertEquals(PathMtu.State.SEARCH_COMPLETE, p.pmtu.state());
    assertEquals(List.of(65_507), p.probes.subList(sent, p.probes.size()));
    assertEquals(1L, p.pmtu.toJson().getLong("falseAlarms"));
  }

  @Test
  void aPeerThatWasOnlyBusyIsAskedAgainSoon() {
    SimPath p = new SimPath(size -> false, 65_507);
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + PathMtu.MAX_PROBES * PathMtu.INITIAL_PROBE_TIMEOUT_MS + 10);
    assertEquals(BASE, p.pmtu.current());
    p.arrives = size -> true;
    p.clock.advance(PathMtu.PEER_RECHECK_MS + 1_000);
    assertEquals(65_507, p.pmtu.current());
  }

  @Test
  void aLateAnswerStillCounts() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.arrives = size -> false; // answers come by hand, late
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + PathMtu.INITIAL_PROBE_TIMEOUT_MS + 1); // the first base probe timed out, a second went
    p.pmtu.onAck(BASE, 65_507); // the first one's answer
    assertEquals(PathMtu.State.SEARCHING, p.pmtu.state());
    p.clock.advance(1);
    assertEquals(65_507, p.probes.get(p.probes.size() - 1), "the ceiling is probed next");
  }

  @Test
  void aPathThatLosesEverythingStaysOnTheBaseWithBoundedProbes() {
    SimPath p = new SimPath(size -> false, 65_507);
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + PathMtu.MAX_PROBES * PathMtu.INITIAL_PROBE_TIMEOUT_MS + 10);
    assertEquals(PathMtu.State.SEARCH_COMPLETE, p.pmtu.state());
    assertEquals(BASE, p.pmtu.current());
    assertEquals(PathMtu.MAX_PROBES, p.probes.size());
    p.clock.advance(60_000);
    assertEquals(PathMtu.MAX_PROBES * (1 + PathMtu.PEER_RECHECKS), p.probes.size(), "a few retries, then quiet");
  }

  @Test
  void aSmallCeilingDisablesProbingAndPathDownResets() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.pmtu.pathUp(BASE);
    assertEquals(PathMtu.State.DISABLED, p.pmtu.state());
    p.clock.advance(1_000);
    assertTrue(p.probes.isEmpty());
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    assertEquals(65_507, p.pmtu.current());
    p.pmtu.pathDown();
    assertEquals(PathMtu.State.DISABLED, p.pmtu.state());
    assertEquals(BASE, p.pmtu.current());
    int sent = p.probes.size();
    p.clock.advance(PathMtu.RAISE_TIMER_MS + 1);
    assertEquals(sent, p.probes.size(), "no timer survives path down");
  }

  @Test
  void lateAndUnaskedAnswersChangeNothing() {
    SimPath p = new SimPath(size -> true, 65_507);
    p.pmtu.onAck(65_507, 65_507); // never asked
    assertEquals(BASE, p.pmtu.current());
    p.pmtu.pathUp(65_507);
    p.pmtu.onAck(9_000, 65_507); // before the search
    assertEquals(BASE, p.pmtu.current());
    p.clock.advance(PathMtu.START_DELAY_MS + 10);
    p.pmtu.onAck(30_000, 65_507); // a size not being probed
    assertEquals(65_507, p.pmtu.current());
  }

  @Test
  void aCompleteSearchLooksForMoreAfterTheRaiseTimer() {
    SimPath p = new SimPath(size -> size <= 1472, 65_507);
    p.pmtu.pathUp(65_507);
    p.clock.advance(10_000);
    int before = p.pmtu.current();
    p.arrives = size -> true; // the route grew
    p.clock.advance(PathMtu.RAISE_TIMER_MS + 10_000);
    assertTrue(p.pmtu.current() > before, "raised from " + before + " to " + p.pmtu.current());
  }

  @Test
  void theReceiveLimitFollowsThePeersBufferWithAFloor() {
    SimPath p = new SimPath(size -> true, 65_507);
    assertEquals(Long.MAX_VALUE, p.pmtu.receiveLimit(), "unknown before the peer said");
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS); // the base probe goes out; answered with a buffer by hand
    p.pmtu.onAck(BASE, 65_507, 8 << 20);
    p.clock.advance(10);
    long big = p.pmtu.receiveLimit();
    assertTrue(big > 4 << 20 && big < 8 << 20, "three quarters of 8 MiB less overhead: " + big);
    p.pmtu.pathUp(65_507);
    p.clock.advance(PathMtu.START_DELAY_MS);
    p.pmtu.onAck(BASE, 65_507, 1); // a bogus buffer: the floor holds
    assertEquals(PathMtu.MIN_DATAGRAMS_IN_FLIGHT * (long) p.pmtu.current(), p.pmtu.receiveLimit());
  }
}
