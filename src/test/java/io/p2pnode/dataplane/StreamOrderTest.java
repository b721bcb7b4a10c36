package io.p2pnode.dataplane;

import io.p2pnode.wire.SessionCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Per-stream hand-over order and the window floor, driven message by message. */
class StreamOrderTest {
  private static SessionCodec.Data msg(long id, long prev, String address) {
    return new SessionCodec.Data(id, SessionCodec.KIND_SEND, 1000, prev, address, address + id);
  }

  private static List<Object> drain(StreamOrder o) {
    List<Object> out = new ArrayList<>();
    for (SessionCodec.Data d = o.poll(); d != null; d = o.poll()) out.add(d.body());
    return out;
  }

  @Test
  void aMissingMessageHoldsBackOnlyItsOwnStream() {
    StreamOrder o = new StreamOrder();
    // stream a: 1, 3, 5; stream b: 2, 4. Message 1 is late.
    assertTrue(o.add(msg(3, 1, "a")));
    assertTrue(o.add(msg(2, 0, "b")));
    assertTrue(o.add(msg(4, 2, "b")));
    assertTrue(o.add(msg(5, 3, "a")));
    assertEquals(List.of("b2", "b4"), drain(o), "b goes, a waits for 1");
    assertEquals(1, o.floor(), "the window cannot move past the missing 1");
    assertEquals(2, o.waiting());
    assertTrue(o.add(msg(1, 0, "a")));
    assertEquals(List.of("a1", "a3", "a5"), drain(o));
    assertEquals(6, o.floor());
    assertEquals(0, o.waiting());
  }

  @Test
  void duplicatesAreSeenAndDealtWithIdsMoveTheWindow() {
    StreamOrder o = new StreamOrder();
    assertTrue(o.add(msg(2, 1, "a")));
    assertTrue(o.seen(2));
    assertFalse(o.seen(1));
    o.done(1); // a large reply, or an undecodable message: no hand-over, but its successor may go
    assertEquals(List.of("a2"), drain(o));
    assertEquals(3, o.floor());
    assertTrue(o.seen(1) && o.seen(2));
  }

  @Test
  void twoMessagesClaimingOnePredecessorAreRefused() {
    StreamOrder o = new StreamOrder();
    assertTrue(o.add(msg(3, 1, "a")));
    assertFalse(o.add(msg(4, 1, "a")));
  }

  /**
   * Random streams, arrivals in random order with copies: every message goes exactly once, each
   * stream in its order, and the floor ends past the last id. Ids run past 127 and far ahead of the
   * floor, where boxed ids and primitive maps part ways.
   */
  @Test
  void randomArrivalsGoOnceInStreamOrder() {
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      int streams = 1 + r.nextInt(8);
      int n = 200 + r.nextInt(800);
      Map<String, Long> last = new HashMap<>();
      List<SessionCodec.Data> sent = new ArrayList<>();
      for (long id = 1; id <= n; id++) {
        String a = "s" + r.nextInt(streams);
        sent.add(msg(id, last.getOrDefault(a, 0L), a));
        last.put(a, id);
      }
      List<SessionCodec.Data> arrivals = new ArrayList<>(sent);
      for (int i = 0; i < n / 5; i++) arrivals.add(sent.get(r.nextInt(n))); // copies
      Collections.shuffle(arrivals, r);
      StreamOrder o = new StreamOrder();
      Map<String, Long> delivered = new HashMap<>();
      int count = 0;
      for (SessionCodec.Data d : arrivals) {
        if (!o.seen(d.msgId())) assertTrue(o.add(d), "seed " + seed + ": a fresh message is taken");
        for (SessionCodec.Data out = o.poll(); out != null; out = o.poll()) {
          count++;
          assertEquals(out.prev(), delivered.getOrDefault(out.address(), 0L), "seed " + seed + ": " + out.address() + " in order");
          delivered.put(out.address(), out.msgId());
        }
      }
      assertEquals(n, count, "seed " + seed + ": each message once");
      assertEquals(n + 1, o.floor(), "seed " + seed);
      assertEquals(0, o.waiting(), "seed " + seed);
      assertFalse(o.hasRunnable(), "seed " + seed);
    }
  }

  /**
   * A burst's ids are consecutive: where Netty's primitive maps would put them (a key's own value,
   * folded to an int, modulo a table of twice the ids held), {@link StreamOrder#slot} must scatter
   * them, or every removal walks the run they form (linear probing). Identity ids leave one run of
   * 4 096 slots; spread ones none longer than a few dozen. Also distinct: no two ids share a slot.
   */
  @Test
  void consecutiveIdsAreSpreadOverTheMapsSlots() {
    int held = 4096;
    int mask = 2 * held - 1;
    for (long base : new long[] {1, 1L << 20, (1L << 40) + 12345, Long.MAX_VALUE - held}) {
      boolean[] used = new boolean[mask + 1];
      Set<Long> slots = new HashSet<>();
      for (long id = base; id < base + held; id++) {
        long k = StreamOrder.slot(id);
        assertTrue(slots.add(k), "two ids in one slot at " + id);
        int i = (int) (k ^ (k >>> 32)) & mask;
        while (used[i]) i = (i + 1) & mask; // linear probing, as the map does
        used[i] = true;
      }
      int longest = 0;
      int run = 0;
      for (int i = 0; i < 2 * used.length; i++) { // twice round: a run may wrap
        run = used[i & mask] ? run + 1 : 0;
        longest = Math.max(longest, Math.min(run, used.length));
      }
      assertTrue(longest < 64, "a run of " + longest + " occupied slots from base " + base);
    }
  }
}
