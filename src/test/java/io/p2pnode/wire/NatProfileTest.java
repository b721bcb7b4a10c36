package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class NatProfileTest {

  @Test
  void goldenBytes() {
    assertEquals(0x00, NatProfile.UNKNOWN.code());
    assertEquals(0x02, NatProfile.of(NatType.ENDPOINT_INDEPENDENT).code(), "the mapping alone: the byte older nodes wrote");
    assertEquals(0x12, new NatProfile(NatType.ENDPOINT_INDEPENDENT, NatProfile.Port.PRESERVED, NatProfile.Allocation.UNKNOWN).code());
    assertEquals(0xA3, new NatProfile(NatType.ENDPOINT_DEPENDENT, NatProfile.Port.NOT_PRESERVED, NatProfile.Allocation.RANDOM).code());
    assertEquals(0x63, new NatProfile(NatType.ENDPOINT_DEPENDENT, NatProfile.Port.NOT_PRESERVED, NatProfile.Allocation.SEQUENTIAL).code());
  }

  @Test
  void everyProfileRoundTrips() {
    for (NatType t : NatType.values()) {
      for (NatProfile.Port p : NatProfile.Port.values()) {
        for (NatProfile.Allocation a : NatProfile.Allocation.values()) {
          NatProfile n = new NatProfile(t, p, a);
          assertEquals(n, NatProfile.of(n.code()));
        }
      }
    }
  }

  @Test
  void unknownValuesDecodeAsUnknown() {
    assertEquals(NatProfile.UNKNOWN, NatProfile.of(0xFF & (3 << 6 | 3 << 4 | 0x0F)));
    assertEquals(NatType.UNKNOWN, NatProfile.of(0x0E).mapping());
  }

  @Test
  void registrationAndIntroductionCarryIt() {
    NatProfile hard = new NatProfile(NatType.ENDPOINT_DEPENDENT, NatProfile.Port.NOT_PRESERVED, NatProfile.Allocation.SEQUENTIAL);
    PeerKey key = io.p2pnode.TestKeys.of("a");
    List<InetSocketAddress> eps = List.of(new InetSocketAddress("192.168.1.10", 7700));
    ControlMessage.Register r = new ControlMessage.Register(7, hard, "a", key, eps, 0, Bits128.ZERO, Bits128.ZERO);
    ControlMessage.Introduce i = new ControlMessage.Introduce(8, 99L, hard, "a", key, new InetSocketAddress("203.0.113.1", 40000),
      eps, ControlMessage.NO_ENDPOINT, 0);
    for (ControlMessage m : List.of(r, i)) {
      ByteBuf b = ControlMessage.encode(UnpooledByteBufAllocator.DEFAULT, m, 0);
      try {
        FrameType type = FrameCodec.check(b);
        b.skipBytes(FrameCodec.HEADER_BYTES);
        ControlMessage back = ControlMessage.decode(type, b);
        assertEquals(m, back);
      } finally {
        b.release();
      }
    }
    assertEquals(NatType.ENDPOINT_DEPENDENT, r.natType());
    assertEquals("endpoint-dependent", hard.toJson().getString("mapping"));
    assertEquals(false, hard.toJson().getBoolean("portPreserving"));
    assertEquals("sequential", hard.toJson().getString("allocation"));
  }
}
