package io.p2pnode.punch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.PacketHandler;
import io.p2pnode.transport.PacketSocket;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** {@link BirthdayProbe} on a manual clock with recording sockets: both roles, budgets, authentication, ends. */
class BirthdayProbeTest {
  static final InetSocketAddress EASY = new InetSocketAddress("203.0.113.1", 7700);
  static final InetAddress HARD_IP = addr("203.0.113.2");
  static final byte GOOD = 1;

  static InetAddress addr(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  final ManualScheduler clock = new ManualScheduler();
  final Counters counters = new Counters();

  /** A socket that records what it sends, its TTL and whether it is closed. */
  static final class Recording implements PacketSocket {
    final List<InetSocketAddress> sentTo = new ArrayList<>();
    final PacketHandler handler;
    final int port;
    int ttl;
    boolean closed;

    Recording(int port, PacketHandler handler) {
      this.port = port;
      this.handler = handler;
    }

    public void send(ByteBuf data, InetSocketAddress to) {
      data.release();
      sentTo.add(to);
    }

    public ByteBufAllocator alloc() {
      return UnpooledByteBufAllocator.DEFAULT;
    }

    public InetSocketAddress localAddress() {
      return new InetSocketAddress("192.168.1.10", port);
    }

    public boolean ttl(int hops) {
      ttl = hops;
      return true;
    }

    public void close() {
      closed = true;
    }

    void receive(InetSocketAddress from, byte first) {
      handler.onPacket(this, Unpooled.wrappedBuffer(new byte[] {first}), from);
    }
  }

  BirthdayProbe probe(HardNatPlan.Role role, int sockets, int maxProbes) {
    return new BirthdayProbe(new BirthdayProbe.Setup("peer", role, Strategy.BIRTHDAY, sockets, maxProbes, 2, 42), clock, counters,
      () -> Unpooled.wrappedBuffer(new byte[] {GOOD}));
  }

  @Test
  void easySideSpraysDistinctPortsOfTheIntroducedAddressOnlyPacedAndBounded() {
    Recording listener = new Recording(7700, (s, d, f) -> { });
    ProbeBudget budget = new ProbeBudget(5_000, clock.clock());
    BirthdayProbe p = probe(HardNatPlan.Role.EASY, 256, 2_000);
    p.startEasy(listener, HARD_IP, 0, budget);
    clock.advance(BirthdayProbe.SPRAY_DELAY_MS - 1);
    assertEquals(0, listener.sentTo.size(), "waits for the hard side's sockets");
    clock.advance(1 + 100);
    int afterTenth = listener.sentTo.size();
    assertTrue(afterTenth > 0 && afterTenth <= 5_000 / 10 + 500 + 50, "paced: " + afterTenth + " in 0.1 s");
    clock.advance(10_000);
    assertEquals(2_000, listener.sentTo.size(), "exactly the budget");
    Set<Integer> ports = new HashSet<>();
    for (InetSocketAddress to : listener.sentTo) {
      assertEquals(HARD_IP, to.getAddress());
      assertTrue(ports.add(to.getPort()), "port " + to.getPort() + " twice");
    }
    assertEquals(BirthdayProbe.State.FAILED, p.state(), "no answer within the window");
    assertEquals(2_000, p.probesSent());
  }

  @Test
  void easySideStopsAtTheAnswer() {
    Recording listener = new Recording(7700, (s, d, f) -> { });
    BirthdayProbe p = probe(HardNatPlan.Role.EASY, 256, 2_000);
    p.startEasy(listener, HARD_IP, 0, new ProbeBudget(5_000, clock.clock()));
    clock.advance(BirthdayProbe.SPRAY_DELAY_MS + 30);
    int sent = listener.sentTo.size();
    p.stop(true);
    clock.advance(5_000);
    assertEquals(sent, listener.sentTo.size());
    assertEquals(BirthdayProbe.State.WON, p.state());
  }

  /** The hard side's sockets, each sending one opening packet with the low TTL; only an authentic probe from the easy side wins. */
  @Test
  void hardSideOpensSocketsAndTakesOnlyAnAuthenticProbe() {
    List<Recording> opened = new ArrayList<>();
    List<String> routed = new ArrayList<>();
    PacketHandler router = (s, d, f) -> routed.add(f.toString());
    ProbeSockets factory = new ProbeSockets() {
      public Future<PacketSocket> open(int ttl, PacketHandler handler) {
        Recording r = new Recording(50_000 + opened.size(), handler);
        r.ttl(ttl);
        opened.add(r);
        return Future.succeededFuture(r);
      }

      public PacketHandler router() {
        return router;
      }
    };
    List<PacketSocket> winners = new ArrayList<>();
    BirthdayProbe p = probe(HardNatPlan.Role.HARD, 8, 2_000);
    p.startHard(factory, EASY, d -> d.getByte(d.readerIndex()) == GOOD, (s, from, d) -> winners.add(s), 3_000);
    assertEquals(8, opened.size());
    for (Recording r : opened) {
      assertEquals(List.of(EASY), r.sentTo, "one opening packet, to the easy side only");
      assertEquals(2, r.ttl);
    }
    assertEquals(BirthdayProbe.State.PROBING, p.state());
    // a forged probe (bad token) from the right address, a good one from elsewhere: dropped, unanswered
    opened.get(3).receive(EASY, (byte) 9);
    opened.get(3).receive(new InetSocketAddress("198.51.100.7", 7700), GOOD);
    assertEquals(2, counters.drops(Drop.PROBE_REJECTED));
    assertTrue(winners.isEmpty());
    assertEquals(BirthdayProbe.State.PROBING, p.state());
    opened.forEach(r -> assertEquals(1, r.sentTo.size(), "nothing answered"));
    // the real one
    opened.get(5).receive(EASY, GOOD);
    assertEquals(List.of(opened.get(5)), winners);
    assertEquals(BirthdayProbe.State.WON, p.state());
    assertEquals(0, opened.get(5).ttl, "the winner's traffic must reach the peer");
    for (Recording r : opened) assertEquals(r != opened.get(5), r.closed, "socket " + r.port);
    // what the winner receives later goes to the node's router
    opened.get(5).receive(EASY, GOOD);
    assertEquals(1, routed.size());
  }

  @Test
  void nodeBudgetCapsPaceAndSockets() {
    ProbeBudget b = new ProbeBudget(1_000, 512, clock.clock());
    assertEquals(100, b.take(1_000), "a tenth of a second of probes at most at once");
    assertEquals(0, b.take(1));
    clock.advance(50);
    assertEquals(50, b.take(1_000));
    assertTrue(b.reserveSockets(256));
    assertTrue(b.reserveSockets(256));
    assertFalse(b.reserveSockets(256), "a third try waits");
    b.releaseSockets(256);
    assertTrue(b.reserveSockets(256));
    assertEquals(512, b.socketsHeld());
  }

  @Test
  void hardSideGivesUpAfterItsHoldTime() {
    List<Recording> opened = new ArrayList<>();
    ProbeSockets factory = new ProbeSockets() {
      public Future<PacketSocket> open(int ttl, PacketHandler handler) {
        Recording r = new Recording(50_000 + opened.size(), handler);
        opened.add(r);
        return Future.succeededFuture(r);
      }

      public PacketHandler router() {
        return (s, d, f) -> { };
      }
    };
    BirthdayProbe p = probe(HardNatPlan.Role.HARD, 4, 2_000);
    List<BirthdayProbe.State> ends = new ArrayList<>();
    p.onEnd(done -> ends.add(done.state()));
    p.startHard(factory, EASY, d -> true, (s, from, d) -> fail("nothing arrived"), 3_000);
    clock.advance(3_000);
    assertEquals(List.of(BirthdayProbe.State.FAILED), ends);
    opened.forEach(r -> assertTrue(r.closed));
  }
}
