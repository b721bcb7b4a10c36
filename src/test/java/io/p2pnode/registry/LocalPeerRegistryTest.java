package io.p2pnode.registry;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalPeerRegistryTest {
  private static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 5000);

  private static PeerRecord record(String id, long expiresAtMs) {
    return new PeerRecord(id, ADDR, List.of(), io.p2pnode.wire.NatType.UNKNOWN, "coord", null, 0, expiresAtMs);
  }

  @Test
  void putThenGet() {
    LocalPeerRegistry r = new LocalPeerRegistry(10);
    PeerRecord a = record("a", 100);
    assertTrue(r.put(a));
    assertSame(a, r.get("a", 0));
    assertNull(r.get("b", 0));
    assertEquals(1, r.size());
  }

  @Test
  void putReplacesRecordOfSamePeer() {
    LocalPeerRegistry r = new LocalPeerRegistry(10);
    r.put(record("a", 100));
    PeerRecord newer = record("a", 200);
    assertTrue(r.put(newer));
    assertSame(newer, r.get("a", 150));
    assertEquals(1, r.size());
  }

  @Test
  void getHidesExpiredRecordWithoutRemovingIt() {
    LocalPeerRegistry r = new LocalPeerRegistry(10);
    r.put(record("a", 100));
    assertTrue(r.get("a", 99) != null);
    assertNull(r.get("a", 100));
    assertNull(r.get("a", 101));
    assertEquals(1, r.size());
  }

  @Test
  void removeReturnsTheRecord() {
    LocalPeerRegistry r = new LocalPeerRegistry(10);
    PeerRecord a = record("a", 100);
    r.put(a);
    assertSame(a, r.remove("a"));
    assertNull(r.remove("a"));
    assertNull(r.get("a", 0));
    assertEquals(0, r.size());
  }

  @Test
  void expireDropsOnlyExpiredRecords() {
    LocalPeerRegistry r = new LocalPeerRegistry(10);
    r.put(record("a", 100));
    r.put(record("b", 200));
    r.put(record("c", 300));
    assertEquals(0, r.expire(99));
    assertEquals(2, r.expire(200));
    assertEquals(1, r.size());
    assertTrue(r.get("c", 200) != null);
    assertEquals(0, r.expire(200));
  }

  @Test
  void boundRefusesNewPeersButAcceptsRefreshes() {
    LocalPeerRegistry r = new LocalPeerRegistry(2);
    assertTrue(r.put(record("a", 100)));
    assertTrue(r.put(record("b", 100)));
    assertFalse(r.put(record("c", 100)));
    assertNull(r.get("c", 0));
    assertTrue(r.put(record("a", 500)));
    assertEquals(500, r.get("a", 0).expiresAtMs());
    assertEquals(2, r.size());
  }

  @Test
  void roomFreedByRemoveOrExpireIsReusable() {
    LocalPeerRegistry r = new LocalPeerRegistry(1);
    r.put(record("a", 100));
    assertFalse(r.put(record("b", 1000)));
    r.remove("a");
    assertTrue(r.put(record("b", 1000)));
    r.put(record("b", 100));
    r.expire(100);
    assertTrue(r.put(record("c", 1000)));
  }
}
