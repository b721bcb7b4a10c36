package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.StunCodec;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The UDP listeners of a live node: SO_REUSEPORT spreading over instances, STUN answers,
 * garbage counted and dropped without harm, refusal to start reuseport listeners without epoll.
 */
@ExtendWith(VertxExtension.class)
class ListenerTest {
  static TestNodes nodes;
  static P2pNode node;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    node = nodes.start(TestNodes.config("listener").put("listen",
      new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 4)));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static byte[] bytes(ByteBuf b) {
    byte[] a = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), a);
    return a;
  }

  static long sum(List<UdpListenerVerticle> ls) {
    return ls.stream().mapToLong(UdpListenerVerticle::received).sum();
  }

  /** Completes {@code ctx}-style polling: resolves when {@code done} holds, checked every 10 ms. */
  static io.vertx.core.Future<Void> until(Vertx vertx, java.util.function.BooleanSupplier done) {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    vertx.setPeriodic(10, id -> {
      if (done.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      }
    });
    return p.future();
  }

  @Test
  void statusReportsTheUdpBatchingInUse(VertxTestContext ctx) {
    P2pClient.create(node.vertx()).status().onComplete(ctx.succeeding(st -> ctx.verify(() -> {
      JsonObject t = st.getJsonObject("transport");
      assertEquals(UdpOffload.CURRENT.toJson().put("busyPollMicros", 0), t, "a test Vert.x: no busy-polling");
      assertTrue(t.getBoolean("sendmmsg"), "epoll: sendmmsg " + t);
      ctx.completeNow();
    })));
  }

  @Test
  void reusePortSpreadsFlowsOverInstances(VertxTestContext ctx) throws Exception {
    P2pNode spread = nodes.start(TestNodes.config("spread").put("listen",
      new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 4)));
    assertTrue(spread.vertx().isNativeTransportEnabled(), "epoll must be available on this machine");
    List<UdpListenerVerticle> ls = spread.listeners();
    assertEquals(4, ls.size());
    int flows = 64;
    List<DatagramSocket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < flows; i++) {
        DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        clients.add(c);
        c.send(new DatagramPacket(new byte[] {0x42}, 1, spread.udpAddress()));
      }
    } finally {
      clients.forEach(DatagramSocket::close);
    }
    until(spread.vertx(), () -> spread.counters().drops(Drop.GARBAGE) >= flows).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(flows, spread.counters().drops(Drop.GARBAGE));
      assertEquals(flows, sum(ls));
      long used = ls.stream().filter(l -> l.received() > 0).count();
      assertTrue(used >= 2, "64 flows all landed on one listener: SO_REUSEPORT is not spreading");
      ctx.completeNow();
    })));
  }

  @Test
  void answersStunBindingWithTheObservedAddress() throws Exception {
    try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      byte[] tx = new byte[12];
      new Random(1).nextBytes(tx);
      ByteBuf req = Unpooled.buffer();
      StunCodec.writeBindingRequest(req, tx);
      c.send(new DatagramPacket(bytes(req), req.readableBytes(), node.udpAddress()));
      byte[] buf = new byte[1500];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      c.setSoTimeout(5000);
      c.receive(p);
      StunCodec.StunMessage m = StunCodec.decode(Unpooled.wrappedBuffer(buf, 0, p.getLength()));
      assertEquals(StunCodec.BINDING_SUCCESS, m.type());
      assertArrayEquals(tx, m.transactionId());
      assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), c.getLocalPort()), m.mappedAddress());
      assertTrue(m.fingerprint());
    }
  }

  @Test
  void garbageIsCountedByReasonAndTheNodeCarriesOn(VertxTestContext ctx) throws Exception {
    Counters k = node.counters();
    long malformed = k.drops(Drop.MALFORMED);
    long badVersion = k.drops(Drop.BAD_VERSION);
    long unknownSession = k.drops(Drop.UNKNOWN_SESSION);
    long stunMalformed = k.drops(Drop.STUN_MALFORMED);
    long garbage = k.drops(Drop.GARBAGE);
    try (DatagramSocket c = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      // a frame of version 2
      byte[] v2 = new byte[16];
      v2[0] = (byte) 0xD2;
      v2[1] = 3;
      c.send(new DatagramPacket(v2, 16, node.udpAddress()));
      // a DATA frame for a session that does not exist
      ByteBuf f = Unpooled.buffer();
      FrameCodec.writeHeader(f, FrameType.DATA, 0, 12345, 1);
      c.send(new DatagramPacket(bytes(f), f.readableBytes(), node.udpAddress()));
      // a REGISTER frame with a truncated payload
      ByteBuf r = Unpooled.buffer();
      FrameCodec.writeHeader(r, FrameType.REGISTER, 0, 0, 0);
      r.writeInt(1).writeByte(50);
      c.send(new DatagramPacket(bytes(r), r.readableBytes(), node.udpAddress()));
      // STUN with a lying length field
      byte[] stun = new byte[24];
      stun[1] = 1;
      stun[3] = 40;
      stun[4] = 0x21; stun[5] = 0x12; stun[6] = (byte) 0xA4; stun[7] = 0x42;
      c.send(new DatagramPacket(stun, 24, node.udpAddress()));
      // 2000 random datagrams
      Random rnd = new Random(7);
      for (int i = 0; i < 2000; i++) {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        if (b.length > 0 && rnd.nextBoolean()) b[0] = (byte) 0xD1;
        c.send(new DatagramPacket(b, b.length, node.udpAddress()));
      }
    }
    // the node still answers its API, and every kind of garbage was counted
    // (the datagrams spread over four listeners: wait for the last kind too, not only the STUN one)
    until(node.vertx(), () -> k.drops(Drop.STUN_MALFORMED) > stunMalformed && k.drops(Drop.GARBAGE) > garbage)
      .compose(v -> P2pClient.create(node.vertx()).status()).onComplete(ctx.succeeding(st -> ctx.verify(() -> {
      assertTrue(k.drops(Drop.BAD_VERSION) > badVersion, "bad version counted");
      assertTrue(k.drops(Drop.UNKNOWN_SESSION) > unknownSession, "unknown session counted");
      assertTrue(k.drops(Drop.MALFORMED) > malformed, "malformed counted");
      assertTrue(k.drops(Drop.STUN_MALFORMED) > stunMalformed, "bad STUN counted");
      assertEquals(0, k.drops(Drop.HANDLER_ERROR), "no exception escaped a handler");
      assertTrue(st.getJsonObject("counters").getJsonObject("drops").containsKey("GARBAGE"));
      ctx.completeNow();
    })));
  }

  @Test
  void refusesReusePortListenersWithoutEpoll() {
    Vertx nio = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    try {
      NodeOptions o = NodeOptions.fromJson(TestNodes.config("nio").put("listen",
        new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2)));
      RuntimeException e = assertThrows(RuntimeException.class, () -> await(P2pNode.start(nio, o)));
      assertTrue(e.getMessage().contains("listen.instances=2"), e.getMessage());
      assertTrue(e.getMessage().contains("epoll"), e.getMessage());
      // a single listener is fine without epoll
      P2pNode single = await(P2pNode.start(nio, NodeOptions.fromJson(TestNodes.config("nio1").put("listen",
        new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1)))));
      assertEquals(1, single.listeners().size());
      await(single.stop());
    } finally {
      await(nio.close());
    }
  }

  @Test
  void refusesAPortAnotherProcessHolds() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> nodes.start(TestNodes.config("dup").put("listen",
        new JsonObject().put("host", "127.0.0.1").put("port", taken.getLocalPort()))));
      assertTrue(e.getMessage().contains("listen.port " + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void refusesATcpPortAnotherProcessListensOn() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> nodes.start(TestNodes.config("dup").put("listen",
        new JsonObject().put("host", "127.0.0.1").put("port", 0).put("tcpPort", taken.getLocalPort()))));
      assertTrue(e.getMessage().contains("listen.tcpPort " + taken.getLocalPort()), e.getMessage());
    }
  }
}
