package io.p2pnode.session;

import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model-based test of the reliable layer: random interleavings of sends (two addresses, small,
 * fragmented and unreliable messages), loss, duplication, reordering, blackouts that make the
 * session re-punch and re-send on the new path, and key renewal every few dozen packets — against
 * a simple oracle: every reliable message is handed over exactly once and, per address, in the
 * order it was sent; an unreliable one at most once.
 */
class ReliableModelTest {
  /** One step of a run. */
  sealed interface Step permits Send, Impair, Advance, Blackout {
  }

  record Send(String address, int size, boolean reliable) implements Step {
  }

  record Impair(double loss, double duplication, long jitterMs) implements Step {
  }

  record Advance(long ms) implements Step {
  }

  /** No datagram gets through for a while: the path is declared silent and punched again. */
  record Blackout(long ms) implements Step {
  }

  @Provide
  Arbitrary<Step> steps() {
    Arbitrary<Step> send = Combinators.combine(Arbitraries.of("x", "y"), Arbitraries.of(10, 300, 1500, 5000),
      Arbitraries.frequency(List.of(net.jqwik.api.Tuple.of(5, true), net.jqwik.api.Tuple.of(1, false))))
      .as(Send::new);
    Arbitrary<Step> impair = Combinators.combine(Arbitraries.of(0.0, 0.02, 0.1, 0.3), Arbitraries.of(0.0, 0.05, 0.2),
      Arbitraries.of(0L, 5L, 30L)).as(Impair::new);
    Arbitrary<Step> advance = Arbitraries.longs().between(1, 200).map(Advance::new);
    Arbitrary<Step> blackout = Arbitraries.of(500L, 2500L).map(Blackout::new);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(12, send), net.jqwik.api.Tuple.of(2, impair),
      net.jqwik.api.Tuple.of(4, advance), net.jqwik.api.Tuple.of(1, blackout));
  }

  @Property(tries = 100, seed = "20261205")
  void reliableMessagesArriveExactlyOnceInOrderPerAddress(@ForAll @Size(min = 1, max = 80) List<@net.jqwik.api.From("steps") Step> run) {
    SessionPair p = new SessionPair(new JsonObject().put("rekeyAfterPackets", 40).put("maxInFlight", 10_000));
    p.startTicks(50);
    Map<String, List<String>> sent = new HashMap<>();
    Set<String> unreliable = new HashSet<>();
    List<Future<Object>> results = new ArrayList<>();
    int n = 0;
    for (Step step : run) {
      if (step instanceof Send s) {
        String body = (s.reliable() ? "r" : "u") + (n++) + ":" + "x".repeat(s.size());
        results.add(p.a.send(SessionCodec.KIND_SEND, s.address(), body, 120_000, s.reliable()));
        String id = body.substring(0, body.indexOf(':'));
        if (s.reliable()) sent.computeIfAbsent(s.address(), k -> new ArrayList<>()).add(id);
        else unreliable.add(id);
      } else if (step instanceof Impair i) {
        p.loss = i.loss();
        p.duplication = i.duplication();
        p.jitterMs = i.jitterMs();
      } else if (step instanceof Advance a) {
        p.clock.advance(a.ms());
      } else if (step instanceof Blackout b) {
        double before = p.loss;
        p.loss = 1;
        p.clock.advance(b.ms());
        p.loss = before;
      }
    }
    // settle on a clean link: everything reliable must get through
    p.loss = 0;
    p.duplication = 0;
    p.jitterMs = 0;
    p.runUntil(Future.join(results), 120_000);
    for (Future<Object> f : results) assertTrue(f.succeeded(), "send failed: " + f.cause());
    assertEquals(PeerSession.State.UP, p.a.state());
    Map<String, List<String>> got = new HashMap<>();
    Set<String> unreliableGot = new HashSet<>();
    for (SessionCodec.Data d : p.deliveredAtB) {
      String body = (String) d.body();
      String id = body.substring(0, body.indexOf(':'));
      if (body.startsWith("u")) assertTrue(unreliableGot.add(id), "unreliable message delivered twice");
      else got.computeIfAbsent(d.address(), k -> new ArrayList<>()).add(id);
    }
    assertEquals(sent, got, "exactly once and in order per address");
    assertTrue(unreliable.containsAll(unreliableGot));
  }
}
