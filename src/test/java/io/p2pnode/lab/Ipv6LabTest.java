package io.p2pnode.lab;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/**
 * IPv6 in the real lab ({@code cluster/natlab.sh ipv6} and {@code ipv6-dual}): alice
 * (2001:db8:a::10) and bob (2001:db8:b::10) each behind a stateful ip6tables firewall that drops
 * anything new from outside, no NAT; the coordinator is dual-stack. Every node listens on
 * {@code ::}. Punching opens both firewalls (each side's packet out makes the other's packet in
 * a reply): the pair goes direct over IPv6, also when both have IPv4 behind cone NATs as well.
 */
@Tag("lab")
class Ipv6LabTest {
  private static final JsonObject DUAL_STACK = new JsonObject().put("listen", new JsonObject().put("host", "::"));

  @ParameterizedTest(name = "{0}: direct over IPv6")
  @CsvSource({
    "ipv6,      none,                 [2001:db8::100]:7700",
    "ipv6-dual, endpoint-independent, '203.0.113.100:7700,[2001:db8::100]:7700'"
  })
  void pairGoesDirectOverIpv6ThroughStatefulFirewalls(String scenario, String natType, String rendezvous) throws Exception {
    NatLabTest.requireLab();
    // Debian's iptables package ships ip6tables (.ci/run installs it)
    boolean ip6tables = new java.io.File("/usr/sbin/ip6tables").canExecute() || new java.io.File("/sbin/ip6tables").canExecute();
    if (System.getenv("CI") != null) assertTrue(ip6tables, "the IPv6 lab needs ip6tables");
    org.junit.jupiter.api.Assumptions.assumeTrue(ip6tables, "the IPv6 lab needs ip6tables");
    JsonObject peers = DUAL_STACK.copy().put("rendezvous", new JsonArray(java.util.List.of((Object[]) rendezvous.split(","))));
    try (NatLab lab = new NatLab()) {
      lab.up(scenario, DUAL_STACK, peers);
      try {
        assertEquals(natType, NatLab.awaitNatType("alice"));
        assertEquals(natType, NatLab.awaitNatType("bob"));
        JsonObject c = NatLab.connect("alice", "bob");
        assertEquals("direct", c.getString("path"), c.encode());
        assertEquals("[2001:db8:b::10]:7700", c.getString("remote"), c.encode());
        NatLab.delivers("alice", "bob", "hello bob over IPv6");
        NatLab.delivers("bob", "alice", "hello alice over IPv6");
        JsonObject bobPeers = new JsonObject(NatLab.cli("bob", "peers").out());
        JsonObject alice = bobPeers.getJsonArray("peers").stream().map(JsonObject.class::cast)
          .filter(p -> "alice".equals(p.getString("peerId"))).findFirst().orElseThrow(() -> new AssertionError(bobPeers.encode()));
        assertEquals("direct", alice.getString("path"), bobPeers.encode());
        assertEquals("[2001:db8:a::10]:7700", alice.getString("remote"), bobPeers.encode());
      } catch (AssertionError e) {
        lab.nodes.forEach(n -> System.out.println("---- node output\n" + n.output()));
        throw e;
      }
    }
  }
}
