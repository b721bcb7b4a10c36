package io.p2pnode.lab;

import io.p2pnode.lab.LabTopology.NatType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every pair of NAT types (RFC 4787 mapping × filtering, symmetric included) in the in-memory
 * lab: which path the connection ends on, and how long it took on the simulated clock
 * (5 ms per hop).
 */
class NatMatrixTest {
  static final List<String> TABLE = new ArrayList<>();

  static Stream<Arguments> pairs() {
    List<Arguments> out = new ArrayList<>();
    NatType[] t = NatType.values();
    for (int i = 0; i < t.length; i++) {
      for (int j = i; j < t.length; j++) out.add(Arguments.of(t[i], t[j], expected(t[i], t[j])));
    }
    return out.stream();
  }

  /**
   * Direct works when either side is public, when both map endpoint-independently, and when a
   * symmetric NAT faces one that maps endpoint-independently: plain punching where the other's
   * filter lets in any port of an address it sent to, else birthday probing (random allocation)
   * or port prediction (sequential). Two symmetric NATs leave no direct path: relay.
   */
  static String expected(NatType a, NatType b) {
    if (a == NatType.NONE || b == NatType.NONE) return "direct";
    return symmetric(a) && symmetric(b) ? "relay" : "direct";
  }

  static boolean symmetric(NatType t) {
    return t == NatType.SYMMETRIC || t == NatType.SYMMETRIC_SEQUENTIAL;
  }

  @ParameterizedTest(name = "{0} x {1} -> {2}")
  @MethodSource("pairs")
  void pairEndsOnExpectedPath(NatType a, NatType b, String expected) {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode alice = lab.peer("alice", a, "203.0.113.1");
    LabNode bob = lab.peer("bob", b, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS); // registrations and probes
    assertEquals(detected(a), alice.natType(), "alice's NAT type");
    assertEquals(detected(b), bob.natType(), "bob's NAT type");
    Future<JsonObject> c = alice.connect("bob");
    long ms = lab.runUntil(c, 20_000);
    String path = c.succeeded() ? c.result().getString("path") : "failed: " + c.cause();
    TABLE.add(String.format("%-22s %-22s %-8s %6d ms", a, b, path, ms));
    assertEquals(expected, path);
    // and a message gets through on that path
    Future<Object> sent = alice.send("bob", "app", "hi");
    lab.runUntil(sent, 5_000);
    assertTrue(sent.succeeded(), String.valueOf(sent.cause()));
    assertEquals("hi", bob.inbound.get(bob.inbound.size() - 1).body());
    assertTrue(ms < 5_000, "took " + ms + " ms on the simulated clock");
    // the attempt is counted under its NAT pair, with its outcome
    String pair = detected(a) + "/" + detected(b);
    JsonObject st = alice.stats.toJson();
    assertEquals(1, st.getJsonObject("attempts").getLong(pair), st.encode());
    assertEquals(1, st.getJsonObject("outcomes").getLong(pair + " " + expected), st.encode());
  }

  /** What a peer behind {@code t} detects with the coordinator's main and probe ports. */
  static String detected(NatType t) {
    return switch (t) {
      case NONE -> "none";
      case SYMMETRIC, SYMMETRIC_SEQUENTIAL -> "endpoint-dependent";
      default -> "endpoint-independent";
    };
  }

  @AfterAll
  static void printTable() {
    System.out.println("NAT matrix (alice x bob -> path, time to connect on the simulated clock):");
    TABLE.forEach(System.out::println);
  }
}
