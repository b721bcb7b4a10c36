package io.p2pnode.lab;

import io.p2pnode.bus.Failure;
import io.p2pnode.lab.LabTopology.NatType;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Pipelined bursts at a peer that is not connected yet (DESIGN §4 ordering rule): every message
 * is handed over once and in the order sent, from the first one, while the session is introduced
 * and punched, over a lossy path, and across a path change.
 */
class BurstOrderTest {
  private static final int BURST = 64;

  /** Sends {@code n} numbered messages back to back (no waiting between them) and returns their results. */
  private static List<Future<Object>> burst(LabNode from, String to, String prefix, int first, int n) {
    List<Future<Object>> sent = new ArrayList<>();
    for (int i = first; i < first + n; i++) sent.add(from.send(to, "app", prefix + i));
    return sent;
  }

  private static List<Object> bodies(LabNode node) {
    return node.inbound.stream().map(d -> d.body()).toList();
  }

  private static List<Object> expected(String prefix, int n) {
    List<Object> e = new ArrayList<>();
    for (int i = 0; i < n; i++) e.add(prefix + i);
    return e;
  }

  @Test
  void aBurstAtAPeerNotYetConnectedArrivesInOrderFromTheFirstMessage() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
    LabNode b = lab.peer("bob", NatType.PORT_RESTRICTED_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    List<Future<Object>> sent = burst(a, "bob", "m", 0, BURST);
    lab.runUntil(Future.all(sent), 20_000);
    sent.forEach(f -> assertTrue(f.succeeded(), String.valueOf(f.cause())));
    assertEquals(expected("m", BURST), bodies(b));
  }

  @Test
  void aBurstThroughLossDuplicationAndReorderingArrivesOnceAndInOrder() { // 5% loss per hop: ~20% end to end
    for (long seed = 1; seed <= 10; seed++) {
      LabNetwork net = new LabNetwork().impair(0.05, 0.05, 15);
      net.seed(seed);
      LabTopology lab = new LabTopology(net);
      LabNode a = lab.peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
      LabNode b = lab.peer("bob", NatType.RESTRICTED_CONE, "203.0.113.2");
      lab.run(2_000); // registrations through the loss
      List<Future<Object>> sent = burst(a, "bob", "m", 0, 4 * BURST);
      lab.runUntil(Future.join(sent), 60_000);
      for (Future<Object> f : sent) assertTrue(f.succeeded(), "seed " + seed + ": " + f.cause() + " alice " + a.counters.toJson() + a.events + " bob " + b.counters.toJson() + b.events + " coord " + lab.coordinator.counters.toJson());
      assertEquals(expected("m", 4 * BURST), bodies(b), "seed " + seed);
    }
  }

  @Test
  void aBurstKeepsItsOrderWhileThePathMovesToTheRelayAndBack() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
    LabNode b = lab.peer("bob", NatType.PORT_RESTRICTED_CONE, "203.0.113.2");
    lab.run(LabTopology.REGISTERED_MS);
    List<Future<Object>> sent = new ArrayList<>(burst(a, "bob", "m", 0, BURST));
    lab.runUntil(Future.all(sent), 20_000);
    net.block("203.0.113.1", "203.0.113.2", true); // the direct path dies mid-stream: re-punch, then the relay
    for (int round = 0; round < 40; round++) {
      sent.addAll(burst(a, "bob", "m", BURST + round * 8, 8));
      lab.run(500);
      if (round == 30) net.block("203.0.113.1", "203.0.113.2", false); // direct again: the session upgrades
    }
    lab.runUntil(Future.join(sent), 60_000);
    sent.forEach(f -> assertTrue(f.succeeded(), String.valueOf(f.cause())));
    assertEquals(expected("m", BURST + 40 * 8), bodies(b));
    assertTrue(a.events.stream().anyMatch(e -> e.startsWith("p2p.path.changed") && e.contains("\"relay\"")),
      "the burst crossed a path change: " + a.events);
  }

  @Test
  void aBurstAtAnUnknownPeerFailsEveryMessageWith404() {
    LabNetwork net = new LabNetwork();
    LabTopology lab = new LabTopology(net);
    LabNode a = lab.peer("alice", NatType.PORT_RESTRICTED_CONE, "203.0.113.1");
    lab.run(LabTopology.REGISTERED_MS);
    List<Future<Object>> sent = burst(a, "nobody", "m", 0, BURST);
    lab.runUntil(Future.join(sent), 20_000);
    for (Future<Object> f : sent) {
      assertTrue(f.failed());
      assertEquals(Failure.NOT_FOUND.code(), ((ReplyException) f.cause()).failureCode(), f.cause().getMessage());
    }
  }
}
