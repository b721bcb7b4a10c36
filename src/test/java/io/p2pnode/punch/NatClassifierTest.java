package io.p2pnode.punch;

import io.p2pnode.punch.NatClassifier.Observation;
import io.p2pnode.wire.NatProfile;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the coordinators' observations make of this node's NAT. */
class NatClassifierTest {
  static final List<InetSocketAddress> PRIVATE = List.of(ep("192.168.1.10", 7700));

  static InetSocketAddress ep(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  static String classify(Observation... seen) {
    return NatClassifier.classify(List.of(seen), PRIVATE).toString();
  }

  @Test
  void table() {
    assertEquals("unknown/unknown/unknown", classify());
    assertEquals("unknown/preserved/unknown", classify(new Observation(ep("203.0.113.1", 7700), null)));
    assertEquals("none/unknown/unknown", classify(new Observation(ep("192.168.1.10", 7700), null)));
    // Linux MASQUERADE: the same mapping everywhere, source port kept
    assertEquals("endpoint-independent/preserved/unknown",
      classify(new Observation(ep("203.0.113.1", 7700), ep("203.0.113.1", 7700))));
    // a cone NAT that moves the port
    assertEquals("endpoint-independent/not_preserved/unknown",
      classify(new Observation(ep("203.0.113.1", 40000), ep("203.0.113.1", 40000))));
    // symmetric, the probe's mapping one above the main one
    assertEquals("endpoint-dependent/not_preserved/sequential",
      classify(new Observation(ep("203.0.113.1", 40000), ep("203.0.113.1", 40001))));
    // other hosts took a few ports in between: still sequential
    assertEquals("endpoint-dependent/not_preserved/sequential",
      classify(new Observation(ep("203.0.113.1", 40000), ep("203.0.113.1", 40000 + NatClassifier.SEQUENTIAL_GAP))));
    // --random-fully
    assertEquals("endpoint-dependent/not_preserved/random",
      classify(new Observation(ep("203.0.113.1", 51234), ep("203.0.113.1", 2345))));
    assertEquals("endpoint-dependent/not_preserved/random",
      classify(new Observation(ep("203.0.113.1", 40000), ep("203.0.113.1", 40000 + NatClassifier.SEQUENTIAL_GAP + 1))));
    // two coordinators without probe ports: the mapping only
    assertEquals("endpoint-dependent/preserved/unknown",
      classify(new Observation(ep("203.0.113.1", 7700), null), new Observation(ep("203.0.113.1", 7701), null)));
  }

  @Test
  void profileTravelsInTheWireByte() {
    NatProfile p = NatClassifier.classify(List.of(new Observation(ep("203.0.113.1", 51234), ep("203.0.113.1", 2345))), PRIVATE);
    assertEquals(p, NatProfile.of(p.code()));
  }
}
