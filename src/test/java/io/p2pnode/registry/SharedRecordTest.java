package io.p2pnode.registry;

import io.p2pnode.wire.NatType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The record as clustered coordinators share it, and the merge rule after a split brain. */
class SharedRecordTest {
  static PeerRecord record(long registeredAtMs) {
    return new PeerRecord("alice", new InetSocketAddress("203.0.113.1", 40001),
      List.of(new InetSocketAddress("192.168.1.10", 7700), new InetSocketAddress("[fd00::1]", 7700)),
      NatType.ENDPOINT_INDEPENDENT, "c1", io.p2pnode.TestKeys.of("alice"), registeredAtMs, registeredAtMs + 30_000);
  }

  @Test
  void jsonRoundTrip() {
    PeerRecord r = record(1_700_000_000_000L);
    assertEquals(r, PeerRecord.fromJson(new JsonObject(r.toJson().encode())));
    PeerRecord own = new PeerRecord("c1", null, List.of(), NatType.UNKNOWN, "c1", io.p2pnode.TestKeys.of("c1"), 5, 6);
    assertEquals(own, PeerRecord.fromJson(own.toJson()));
  }

  @Test
  void garbageIsRejectedWithAClearError() {
    for (String bad : new String[] {"{}", "{\"peerId\":\"a\"}", record(1).toJson().put("observed", "nonsense").encode(),
      record(1).toJson().put("registeredAtMs", "soon").encode()}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerRecord.fromJson(new JsonObject(bad)), bad);
      assertTrue(e.getMessage().startsWith("not a peer record"), e.getMessage());
    }
  }

  @Test
  void newestRegistrationWins() {
    String older = record(1_000).toJson().encode();
    String newer = record(2_000).toJson().encode();
    // merging, existing -> merging wins?
    Object[][] table = {
      {newer, older, true},
      {older, newer, false},
      {older, older, false}, // a tie keeps what is there
      {older, null, true}, // nothing there: take it
      {"not json", older, false}, // unreadable never wins
      {newer, "not json", true},
    };
    for (Object[] row : table) {
      assertEquals(row[2], NewestRegistrationWins.mergingWins((String) row[0], (String) row[1]), java.util.Arrays.toString(row));
    }
  }
}
