package io.p2pnode.punch;

import io.netty.buffer.ByteBuf;
import io.p2pnode.crypto.Identity;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.FakeTcpLink;
import io.p2pnode.transport.RecordingSocket;
import io.p2pnode.transport.TcpEndpoint;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatType;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link RendezvousClient} on a manual clock with a recording socket: what it registers, and when. */
class RendezvousClientTest {
  static final InetSocketAddress COORDINATOR = new InetSocketAddress("203.0.113.100", 7700);
  /** A node on a public address: the coordinator sees its own endpoint, so it sits behind no NAT. */
  static final InetSocketAddress SELF = new InetSocketAddress("203.0.113.2", 7700);

  final ManualScheduler clock = new ManualScheduler();
  final RecordingSocket socket = new RecordingSocket(SELF);
  final RendezvousClient client = new RendezvousClient("bob", Identity.generate(), new byte[0], List.of(SELF),
    List.of(COORDINATOR), null, () -> 5_000, clock, () -> socket, new Counters());

  /** A registration sent, with where it went. */
  record Sent(ControlMessage.Register register, InetSocketAddress to) {
    boolean overTcp() {
      return to instanceof TcpEndpoint;
    }
  }

  List<Sent> drainRegistrations() {
    List<Sent> out = new ArrayList<>();
    for (RecordingSocket.Sent s : socket.drain()) {
      ByteBuf b = s.data();
      try {
        FrameType type = FrameType.of(b.getUnsignedByte(1));
        b.skipBytes(FrameCodec.HEADER_BYTES);
        if (type == FrameType.REGISTER) out.add(new Sent((ControlMessage.Register) ControlMessage.decode(type, b), s.to()));
      } finally {
        b.release();
      }
    }
    return out;
  }

  /**
   * The NAT type learnt from the first UDP acknowledgement goes to the coordinator over UDP and
   * over TCP at once. Before, only UDP re-registered: a TCP registration of the old type that the
   * coordinator handled after the UDP one stood until the next refresh, and introductions
   * carried "unknown" (the NAT lab's "public" scenario saw it as a wrong outcome label).
   */
  @Test
  void aNewNatTypeReRegistersOverUdpAndTcpAtOnce() {
    client.tcp(7700, to -> Future.succeededFuture(new FakeTcpLink(to, false).endpoint()));
    client.refresh();
    List<Sent> first = drainRegistrations();
    assertEquals(2, first.size(), first.toString());
    assertTrue(first.stream().allMatch(s -> s.register().natType() == NatType.UNKNOWN), first.toString());
    Sent udp = first.stream().filter(s -> !s.overTcp()).findFirst().orElseThrow();
    assertTrue(first.stream().anyMatch(Sent::overTcp), first.toString());

    client.onRegisterAck(new ControlMessage.RegisterAck(udp.register().txn(), SELF, 15_000, 0), COORDINATOR);

    assertEquals(NatType.NONE, client.natType());
    List<Sent> again = drainRegistrations();
    assertEquals(1, again.stream().filter(s -> !s.overTcp() && s.register().natType() == NatType.NONE).count(), again.toString());
    assertEquals(1, again.stream().filter(s -> s.overTcp() && s.register().natType() == NatType.NONE).count(), again.toString());
  }

  /** An unchanged NAT type sends nothing before the refresh is due. */
  @Test
  void anUnchangedNatTypeWaitsForTheRefresh() {
    client.tcp(7700, to -> Future.succeededFuture(new FakeTcpLink(to, false).endpoint()));
    client.refresh();
    Sent udp = drainRegistrations().stream().filter(s -> !s.overTcp()).findFirst().orElseThrow();
    client.onRegisterAck(new ControlMessage.RegisterAck(udp.register().txn(), SELF, 15_000, 0), COORDINATOR);
    Sent second = drainRegistrations().stream().filter(s -> !s.overTcp()).findFirst().orElseThrow();
    client.onRegisterAck(new ControlMessage.RegisterAck(second.register().txn(), SELF, 15_000, 0), COORDINATOR);
    assertEquals(List.of(), drainRegistrations());
    clock.advance(5_000);
    client.refresh();
    assertEquals(2, drainRegistrations().size());
  }
}
