package io.p2pnode.session;

import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.TcpConnectException;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.transport.FakeTcpLink;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@link TcpPunch} on a manual clock with scripted connects: retries, their bound, and which connection survives. */
class TcpPunchTest {
  static final InetSocketAddress PUB = new InetSocketAddress("203.0.113.2", 7700);
  static final InetSocketAddress LAN = new InetSocketAddress("192.168.1.10", 7700);

  final ManualScheduler clock = new ManualScheduler();
  final Map<InetSocketAddress, List<Promise<TcpEndpoint>>> connects = new HashMap<>();
  final Map<InetSocketAddress, TcpEndpoint> existing = new HashMap<>();
  final List<TcpEndpoint> connected = new ArrayList<>();
  final List<TcpEndpoint> closed = new ArrayList<>();
  final TcpPunch punch = new TcpPunch("bob", new TcpPaths() {
    public Future<TcpEndpoint> connect(InetSocketAddress remote, long timeoutMs) {
      Promise<TcpEndpoint> p = Promise.promise();
      connects.computeIfAbsent(remote, k -> new ArrayList<>()).add(p);
      return p.future();
    }

    public InetSocketAddress coordinatorNow(InetSocketAddress coordinator) {
      return coordinator;
    }

    public TcpEndpoint existing(InetSocketAddress remote) {
      return existing.get(remote);
    }

    public void onClose(TcpEndpoint link, Runnable action) {
      link.link().onClose(action);
    }
  }, clock, connected::add, closed::add);

  int tries(InetSocketAddress to) {
    return connects.getOrDefault(to, List.of()).size();
  }

  void fail(InetSocketAddress to, TcpConnectException.Kind kind) {
    List<Promise<TcpEndpoint>> ps = connects.get(to);
    ps.get(ps.size() - 1).fail(new TcpConnectException(kind, to, kind.name(), null));
  }

  FakeTcpLink succeed(InetSocketAddress to) {
    FakeTcpLink l = new FakeTcpLink(to, false);
    List<Promise<TcpEndpoint>> ps = connects.get(to);
    ps.get(ps.size() - 1).complete(l.endpoint());
    return l;
  }

  JsonObject entry(String to, String direction) {
    for (Object o : punch.toJson().getJsonArray("connections")) {
      JsonObject j = (JsonObject) o;
      if (j.getString("to").equals(to) && j.getString("direction").equals(direction)) return j;
    }
    throw new AssertionError(to + " " + direction + " not in " + punch.toJson());
  }

  @Test
  void refusedConnectsAreRetriedWithBackoffUntilTheDeadline() {
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP)), clock.clock().nanoTime() + 2_000_000_000L);
    assertEquals(1, tries(PUB));
    // transition table: after each refusal, the next try comes after 200, 400, 800, 1000 ms ... until 2 s are up
    long[] waits = {200, 400, 800};
    for (long wait : waits) {
      int before = tries(PUB);
      fail(PUB, TcpConnectException.Kind.REFUSED);
      assertEquals("waiting", entry("203.0.113.2:7700", "connect").getString("state"));
      clock.advance(wait - 1);
      assertEquals(before, tries(PUB), "not before " + wait + " ms");
      clock.advance(1);
      assertEquals(before + 1, tries(PUB), "again after " + wait + " ms");
    }
    // 1 400 ms spent: the next wait (1 000 ms) would end past the 2 s deadline
    fail(PUB, TcpConnectException.Kind.UNREACHABLE);
    assertEquals("failed", entry("203.0.113.2:7700", "connect").getString("state"));
    clock.advance(5_000);
    assertEquals(4, tries(PUB));
  }

  @Test
  void anAddressInUseIsNotRetriedTheAcceptedConnectionServes() {
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP)), clock.clock().nanoTime() + 5_000_000_000L);
    fail(PUB, TcpConnectException.Kind.IN_USE);
    clock.advance(3_000);
    assertEquals(1, tries(PUB));
    assertEquals("failed", entry("203.0.113.2:7700", "connect").getString("state"));
    FakeTcpLink accepted = new FakeTcpLink(PUB, true);
    punch.accepted(accepted.endpoint());
    assertEquals(List.of(accepted.endpoint()), punch.open());
    punch.won(accepted.endpoint());
    assertTrue(accepted.claimed());
    assertEquals(0, accepted.closes());
    assertEquals("won", entry("203.0.113.2:7700", "accepted").getString("state"));
  }

  @Test
  void theFirstAuthenticatedConnectionWinsAndEveryOtherCloses() {
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP), new Candidate(LAN, Path.DIRECT_TCP)),
      clock.clock().nanoTime() + 5_000_000_000L);
    FakeTcpLink pub = succeed(PUB);
    FakeTcpLink lan = succeed(LAN);
    FakeTcpLink in = new FakeTcpLink(PUB, true);
    punch.accepted(in.endpoint());
    assertEquals(List.of(pub.endpoint(), lan.endpoint()), connected, "HELLO goes on every connection made here");
    assertEquals(3, punch.open().size());
    punch.won(lan.endpoint());
    assertEquals("lost", entry("203.0.113.2:7700", "connect").getString("state"));
    clock.advance(TcpPunch.LOSER_GRACE_MS - 1);
    assertEquals(0, pub.closes() + in.closes(), "losers stay a grace period: the peer may have picked one of them");
    clock.advance(1);
    assertEquals(1, pub.closes());
    assertEquals(1, in.closes());
    assertEquals(0, lan.closes());
    assertEquals("closed", entry("203.0.113.2:7700", "connect").getString("state"));
    assertEquals("won", entry("192.168.1.10:7700", "connect").getString("state"));
    assertTrue(punch.open().isEmpty());
    // the path's connection closes: the session hears of it, once
    lan.close();
    lan.close();
    assertEquals(List.of(pub.endpoint(), in.endpoint(), lan.endpoint()), closed);
    assertEquals("closed", entry("192.168.1.10:7700", "connect").getString("state"));
  }

  @Test
  void aLosingConnectionThePeerKeepsUsingWinsAfterAll() {
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP), new Candidate(LAN, Path.DIRECT_TCP)),
      clock.clock().nanoTime() + 5_000_000_000L);
    FakeTcpLink pub = succeed(PUB);
    FakeTcpLink lan = succeed(LAN);
    punch.won(pub.endpoint());
    punch.won(lan.endpoint()); // the peer's sealed frames arrive on the LAN connection: the session roams to it
    clock.advance(TcpPunch.LOSER_GRACE_MS);
    assertEquals(0, lan.closes(), "the new winner is not closed by the old grace timer");
    assertEquals(1, pub.closes());
    assertEquals("won", entry("192.168.1.10:7700", "connect").getString("state"));
  }

  @Test
  void stoppingCancelsRetriesAndClosesLateConnections() {
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP), new Candidate(LAN, Path.DIRECT_TCP)),
      clock.clock().nanoTime() + 5_000_000_000L);
    fail(PUB, TcpConnectException.Kind.TIMEOUT);
    punch.stopAll("UDP path preferred");
    clock.advance(5_000);
    assertEquals(1, tries(PUB), "no retry after stop");
    FakeTcpLink late = succeed(LAN);
    assertEquals(1, late.closes(), "a connect that completes after the stop is closed at once");
    assertTrue(connected.isEmpty());
  }

  @Test
  void aRegistrationConnectionToThePeerIsUsedAndNeverClosedHere() {
    FakeTcpLink registration = new FakeTcpLink(PUB, false); // this node's registration connection to its coordinator, the peer
    existing.put(PUB, registration.endpoint());
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP), new Candidate(LAN, Path.DIRECT_TCP)),
      clock.clock().nanoTime() + 5_000_000_000L);
    assertEquals(0, tries(PUB), "no connect: there is a connection");
    assertEquals(List.of(registration.endpoint()), connected, "HELLO goes on it at once");
    assertTrue(entry("203.0.113.2:7700", "connect").getBoolean("shared"));
    FakeTcpLink lan = succeed(LAN);
    punch.won(lan.endpoint());
    punch.stopAll("session closed");
    assertEquals(0, registration.closes(), "a shared connection is not ours to close");
    assertEquals(1, lan.closes(), "a connection made here closes with the session");
  }

  @Test
  void aConnectionThePeerMadeFirstIsTakenAsAccepted() {
    FakeTcpLink theirs = new FakeTcpLink(PUB, true);
    existing.put(PUB, theirs.endpoint());
    punch.start(List.of(new Candidate(PUB, Path.DIRECT_TCP)), clock.clock().nanoTime() + 5_000_000_000L);
    assertEquals(0, tries(PUB));
    assertEquals("accepted", entry("203.0.113.2:7700", "accepted").getString("state"));
    assertEquals(List.of(theirs.endpoint()), punch.open(), "our HELLO goes on it");
    punch.stopAll("UDP won");
    assertEquals(1, theirs.closes(), "not shared: closed with the rest");
  }

  @Test
  void aConnectionToItselfIsClosedAndFailed() {
    InetSocketAddress self = new InetSocketAddress("192.168.1.20", 7700);
    punch.start(List.of(new Candidate(self, Path.DIRECT_TCP)), clock.clock().nanoTime() + 5_000_000_000L);
    FakeTcpLink l = succeed(self);
    assertEquals(1, l.closes());
    assertEquals("failed", entry("192.168.1.20:7700", "connect").getString("state"));
    assertTrue(connected.isEmpty());
  }
}
