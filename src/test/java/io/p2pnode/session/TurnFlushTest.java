package io.p2pnode.session;

import io.p2pnode.wire.SessionCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * When a session's queued messages leave (two sessions on a manual clock): a loop turn's messages
 * go together at the turn's end, in as few datagrams as they fit; a turn that queues a lot starts
 * sending before it ends, so the peer can start on them, at a number of early flushes that grows
 * with the logarithm of the turn's bytes.
 */
class TurnFlushTest {
  @Test
  void aSmallTurnLeavesAtItsEndInOneDatagram() {
    SessionPair p = new SessionPair(new JsonObject());
    long datagrams = p.datagramsAtoB;
    for (int i = 0; i < 5; i++) p.a.send(SessionCodec.KIND_SEND, "app", "m" + i, 5_000);
    assertEquals(datagrams, p.datagramsAtoB, "nothing leaves before the turn ends");
    p.clock.advance(0); // the turn ends
    assertEquals(datagrams + 1, p.datagramsAtoB, "five small messages share one datagram");
    assertEquals(0, p.earlyFlushesAtoB);
  }

  @Test
  void aLargeTurnStartsSendingBeforeItEndsAndEverythingArrivesInOrder() {
    SessionPair p = new SessionPair(new JsonObject());
    long datagrams = p.datagramsAtoB;
    int n = 400; // 100 B bodies: about 50 KB in one turn
    for (int i = 0; i < n; i++) {
      Buffer body = Buffer.buffer(new byte[100]).setInt(0, i);
      p.a.send(SessionCodec.KIND_SEND, "app", body, 5_000);
    }
    assertTrue(p.datagramsAtoB > datagrams, "datagrams left before the turn ended");
    // early flushes at 2, 4, 8, 16, 32 KB more: a handful, not one per message or per datagram
    assertTrue(p.earlyFlushesAtoB >= 2 && p.earlyFlushesAtoB <= 5, "early flushes: " + p.earlyFlushesAtoB);
    long atTurnEnd = p.datagramsAtoB;
    p.clock.advance(200);
    assertTrue(p.datagramsAtoB > atTurnEnd, "the rest left with the turn's end");
    assertEquals(n, p.deliveredAtB.size());
    assertEquals(IntStream.range(0, n).boxed().toList(),
      p.deliveredAtB.stream().map(d -> ((Buffer) d.body()).getInt(0)).toList(), "in order");
  }
}
