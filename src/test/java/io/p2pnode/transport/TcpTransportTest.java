package io.p2pnode.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The TCP transport on loopback: frames both ways over one shared listen/connect port,
 * simultaneous open, refused connects, oversize frames, half-close answered before closing,
 * unclaimed and idle links, no CLOSE_WAIT/TIME_WAIT left after many cycles, and close exactly once.
 */
@ExtendWith(VertxExtension.class)
class TcpTransportTest {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final int MAX = 4096;
  static final TcpTransport.Config CONFIG = new TcpTransport.Config(MAX, 0, 0, 1000, 0);
  static Vertx vertx;
  final List<TcpTransport> transports = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(4));
    assertTrue(vertx.isNativeTransportEnabled(), "epoll must be available on this machine");
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void closeTransports() throws Exception {
    for (TcpTransport t : transports) await(t.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  TcpTransport listen(TcpTransport.Config config, Counters counters, PacketHandler handler) throws Exception {
    InetSocketAddress bind = new InetSocketAddress(LOOPBACK, 0);
    TcpTransport t = await(TcpTransport.listen(vertx, bind, config, handler, () -> new RecordingSocket(bind), counters));
    transports.add(t);
    return t;
  }

  static ContextInternal newContext() {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  static ByteBuf frame(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }

  static ByteBuf frame(int size, int seed) {
    ByteBuf b = Unpooled.buffer(size);
    for (int i = 0; i < size; i++) b.writeByte(seed + i);
    return b;
  }

  static String text(ByteBuf b) {
    return b.toString(StandardCharsets.US_ASCII);
  }

  static TcpLink linkOf(InetSocketAddress sender) {
    return ((TcpEndpoint) sender).link();
  }

  /** A frame as raw bytes: 2-byte big-endian length, then the text. */
  static byte[] wire(String text) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    byte[] w = new byte[t.length + 2];
    w[0] = (byte) (t.length >> 8);
    w[1] = (byte) t.length;
    System.arraycopy(t, 0, w, 2, t.length);
    return w;
  }

  /** Reads until end of stream or reset; true if the stream ended either way (a timeout throws). */
  static boolean readsToEnd(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // discard
      }
      return true;
    } catch (SocketException e) {
      assertTrue(e.getMessage().contains("reset"), "expected EOF or reset, got " + e);
      return true;
    }
  }

  /** Resolves once {@code done} holds, checked every 5 ms on a Vert.x timer. */
  static Future<Void> until(BooleanSupplier done) {
    Promise<Void> p = Promise.promise();
    vertx.setPeriodic(5, id -> {
      if (done.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      }
    });
    return p.future();
  }

  static Future<Void> after(long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  static long stat(TcpTransport t, String key) {
    return t.stats().getLong(key);
  }

  @Test
  void framesTravelBothWaysOverTheListenPort(VertxTestContext ctx) throws Exception {
    Counters ca = new Counters();
    List<byte[]> atB = new CopyOnWriteArrayList<>();
    List<Boolean> inboundAtB = new CopyOnWriteArrayList<>();
    List<Integer> senderPortAtB = new CopyOnWriteArrayList<>();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<Boolean> inboundAtA = new CopyOnWriteArrayList<>();
    TcpTransport a = listen(CONFIG, ca, (s, data, sender) -> {
      atA.add(text(data));
      inboundAtA.add(linkOf(sender).inbound());
    });
    TcpTransport b = listen(CONFIG, new Counters(), (s, data, sender) -> {
      byte[] bytes = new byte[data.readableBytes()];
      data.readBytes(bytes);
      atB.add(bytes);
      inboundAtB.add(linkOf(sender).inbound());
      senderPortAtB.add(sender.getPort());
      linkOf(sender).send(frame("re:" + bytes.length));
    });
    int[] sizes = {1, 1000, MAX};
    a.connect(newContext(), b.localAddress(), 2000).onComplete(ctx.succeeding(ep -> {
      ctx.verify(() -> {
        assertFalse(ep.link().inbound());
        assertEquals(a.localAddress().getPort(), ep.link().localAddress().getPort(), "connect must leave from the listen port");
        assertEquals(b.localAddress(), ep);
        assertEquals("tcp:127.0.0.1:" + b.localAddress().getPort(), ep.toString());
        assertTrue(TcpEndpoint.same(ep, ep.link().endpoint()));
        assertFalse(TcpEndpoint.same(ep, new InetSocketAddress(ep.getAddress(), ep.getPort())));
      });
      for (int i = 0; i < sizes.length; i++) ep.link().send(frame(sizes[i], i));
      ep.link().send(frame(MAX + 1, 9)); // too large: dropped here, never sent
    }));
    until(() -> atA.size() == 3).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(List.of("re:1", "re:1000", "re:" + MAX), atA);
      assertEquals(List.of(false, false, false), inboundAtA);
      assertEquals(3, atB.size());
      for (int i = 0; i < sizes.length; i++) {
        assertEquals(sizes[i], atB.get(i).length);
        for (int j = 0; j < sizes[i]; j++) assertEquals((byte) (i + j), atB.get(i)[j]);
      }
      assertEquals(List.of(true, true, true), inboundAtB);
      assertEquals(List.of(a.localAddress().getPort(), a.localAddress().getPort(), a.localAddress().getPort()), senderPortAtB);
      assertEquals(1, ca.drops(Drop.OVERSIZE));
      assertEquals(3, stat(a, "framesOut"));
      assertEquals(3, stat(a, "framesIn"));
      assertEquals(1, stat(a, "connected"));
      assertEquals(1, stat(b, "accepted"));
      ctx.completeNow();
    })));
  }

  @Test
  void simultaneousOpenEndsWithAWorkingLinkOnEachSide() throws Exception {
    int bothConnected = 0, oneInUse = 0;
    for (int round = 0; round < 20; round++) {
      CompletableFuture<TcpLink> gotA = new CompletableFuture<>(), gotB = new CompletableFuture<>();
      TcpTransport[] ab = new TcpTransport[2];
      PacketHandler[] handlers = new PacketHandler[2];
      for (int side = 0; side < 2; side++) {
        CompletableFuture<TcpLink> got = side == 0 ? gotA : gotB;
        int other = 1 - side;
        handlers[side] = (s, data, sender) -> {
          TcpLink l = linkOf(sender);
          if (sender.getPort() == ab[other].localAddress().getPort() && l.isOpen()) got.complete(l);
          if (text(data).equals("hi")) l.send(frame("ack"));
        };
      }
      ab[0] = listen(CONFIG, new Counters(), (s, d, f) -> handlers[0].onPacket(s, d, f));
      ab[1] = listen(CONFIG, new Counters(), (s, d, f) -> handlers[1].onPacket(s, d, f));
      ContextInternal ctxA = newContext(), ctxB = newContext();
      while (ctxB.nettyEventLoop() == ctxA.nettyEventLoop()) ctxB = newContext();
      // both loops leave the barrier together and connect at once (from a loop, connect() runs inline)
      // round 0 is sequential, so one order is certain: B's connect meets A's accepted connection (IN_USE)
      CyclicBarrier barrier = new CyclicBarrier(round == 0 ? 1 : 2);
      Future<TcpEndpoint> fa = connectAfter(barrier, ab[0], ctxA, ab[1].localAddress());
      if (round == 0) fa.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Future<TcpEndpoint> fb = connectAfter(barrier, ab[1], ctxB, ab[0].localAddress());
      Future.join(fa, fb).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
      if (round == 0) {
        assertTrue(fa.succeeded() && fb.failed(), "a connect over an existing 4-tuple must fail");
        System.out.println("connect over an existing 4-tuple: " + fb.cause().getMessage());
      }
      int ok = 0;
      for (Future<TcpEndpoint> f : List.of(fa, fb)) {
        if (f.succeeded()) {
          ok++;
          f.result().link().send(frame("hi"));
        } else {
          TcpConnectException e = assertInstanceOf(TcpConnectException.class, f.cause());
          assertEquals(TcpConnectException.Kind.IN_USE, e.kind(), "round " + round + ": " + e);
        }
      }
      assertTrue(ok >= 1, "neither connect succeeded");
      if (ok == 2) bothConnected++;
      else oneInUse++;
      TcpLink la = await(gotA), lb = await(gotB);
      assertEquals(ab[0].localAddress().getPort(), la.localAddress().getPort());
      assertEquals(ab[1].localAddress().getPort(), lb.localAddress().getPort());
      await(ab[0].close());
      await(ab[1].close());
    }
    System.out.println("simultaneous open: both connects succeeded " + bothConnected + "x, one IN_USE " + oneInUse + "x");
  }

  static Future<TcpEndpoint> connectAfter(CyclicBarrier barrier, TcpTransport t, ContextInternal ctx, InetSocketAddress to) {
    Promise<TcpEndpoint> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        barrier.await(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.fail(e);
        return;
      }
      t.connect(ctx, to, 2000).onComplete(p);
    });
    return p.future();
  }

  @Test
  void connectToAClosedPortIsRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      port = s.getLocalPort();
    }
    TcpTransport a = listen(CONFIG, new Counters(), (s, d, f) -> { });
    InetSocketAddress nobody = new InetSocketAddress(LOOPBACK, port);
    Future<TcpEndpoint> f = a.connect(newContext(), nobody, 2000);
    f.toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
    TcpConnectException e = assertInstanceOf(TcpConnectException.class, f.cause());
    assertEquals(TcpConnectException.Kind.REFUSED, e.kind(), e.toString());
    assertEquals(nobody, e.remote());
    assertEquals(1, stat(a, "connectFailed"));
    assertEquals(0, stat(a, "open"));
  }

  @Test
  void oversizeLengthClosesTheLink(VertxTestContext ctx) throws Exception {
    Counters cb = new Counters();
    CompletableFuture<TcpLink> link = new CompletableFuture<>();
    TcpTransport b = listen(CONFIG, cb, (s, d, f) -> link.complete(linkOf(f)));
    try (Socket raw = new Socket(LOOPBACK, b.localAddress().getPort())) {
      raw.setSoTimeout(5000);
      raw.getOutputStream().write(wire("ok"));
      TcpLink l = await(link);
      raw.getOutputStream().write(new byte[] {(byte) ((MAX + 1) >> 8), (byte) (MAX + 1), 1, 2, 3});
      assertTrue(readsToEnd(raw.getInputStream()));
      until(() -> stat(b, "open") == 0).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertEquals(1, cb.drops(Drop.OVERSIZE));
        assertEquals("frame too large", l.closeReason());
        assertFalse(l.isOpen());
        assertEquals(1, stat(b, "closed"));
        assertEquals(1, stat(b, "framesIn"));
        ctx.completeNow();
      })));
    }
  }

  @Test
  void halfCloseIsAnsweredBeforeTheLinkCloses(VertxTestContext ctx) throws Exception {
    CompletableFuture<TcpLink> link = new CompletableFuture<>();
    TcpTransport b = listen(CONFIG, new Counters(), (s, d, f) -> {
      linkOf(f).send(frame("reply to " + text(d)));
      link.complete(linkOf(f));
    });
    try (Socket raw = new Socket(LOOPBACK, b.localAddress().getPort())) {
      raw.setSoTimeout(5000);
      raw.getOutputStream().write(wire("hello"));
      raw.shutdownOutput();
      DataInputStream in = new DataInputStream(raw.getInputStream());
      byte[] reply = new byte[wire("reply to hello").length];
      in.readFully(reply);
      assertArrayEquals(wire("reply to hello"), reply);
      assertTrue(readsToEnd(in));
    }
    TcpLink l = await(link);
    until(() -> stat(b, "open") == 0).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(1, stat(b, "halfClosed"));
      assertEquals(1, stat(b, "closed"));
      assertEquals(0, stat(b, "resets"));
      assertEquals("peer closed (half-close)", l.closeReason());
      ctx.completeNow();
    })));
  }

  @Test
  void unclaimedLinksCloseAndClaimedOnesStay(VertxTestContext ctx) throws Exception {
    Counters cb = new Counters();
    CompletableFuture<TcpLink> claimed = new CompletableFuture<>();
    TcpTransport b = listen(new TcpTransport.Config(MAX, 200, 0, 1000, 0), cb, (s, d, f) -> {
      linkOf(f).claim();
      claimed.complete(linkOf(f));
    });
    try (Socket silent = new Socket(LOOPBACK, b.localAddress().getPort());
         Socket talker = new Socket(LOOPBACK, b.localAddress().getPort())) {
      silent.setSoTimeout(5000);
      talker.getOutputStream().write(wire("claim me"));
      TcpLink l = await(claimed);
      assertTrue(l.claimed());
      long t0 = System.nanoTime();
      assertTrue(readsToEnd(silent.getInputStream()));
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100), "closed long before unclaimedMs");
      Future<Void> checked = until(() -> stat(b, "closed") == 1).compose(v -> after(400));
      await(checked.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertEquals(1, cb.drops(Drop.TCP_UNCLAIMED));
        assertEquals(1, stat(b, "unclaimedClosed"));
        assertTrue(l.isOpen(), "a claimed link must outlive unclaimedMs");
        assertNull(l.closeReason());
        assertEquals(1, stat(b, "open"));
        ctx.completeNow();
      }))));
    }
  }

  @Test
  void idleLinksClose(VertxTestContext ctx) throws Exception {
    TcpTransport a = listen(new TcpTransport.Config(MAX, 0, 200, 1000, 0), new Counters(), (s, d, f) -> { });
    TcpTransport b = listen(CONFIG, new Counters(), (s, d, f) -> { }); // never idles
    TcpEndpoint ep = await(a.connect(newContext(), b.localAddress(), 2000));
    ep.link().send(frame("one"));
    long t0 = System.nanoTime();
    until(() -> stat(a, "open") == 0 && stat(b, "open") == 0).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150), "closed long before idleMs");
      assertEquals("idle", ep.link().closeReason());
      assertEquals(1, stat(a, "idleClosed"));
      assertEquals(1, stat(b, "resets"), "the peer sees the RST");
      ctx.completeNow();
    })));
  }

  @Test
  void throwingHandlerIsCountedAndEmptyFramesAreKeepalives(VertxTestContext ctx) throws Exception {
    Counters cb = new Counters();
    List<String> got = new CopyOnWriteArrayList<>();
    TcpTransport b = listen(CONFIG, cb, (s, d, f) -> {
      String t = text(d);
      if (t.equals("boom")) throw new IllegalStateException("handler failure (expected by the test)");
      got.add(t);
    });
    try (Socket raw = new Socket(LOOPBACK, b.localAddress().getPort())) {
      raw.getOutputStream().write(wire("boom"));
      raw.getOutputStream().write(wire(""));
      raw.getOutputStream().write(wire("after"));
      await(until(() -> got.size() == 1));
      ctx.verify(() -> {
        assertEquals(List.of("after"), got);
        assertEquals(1, cb.drops(Drop.HANDLER_ERROR));
        assertEquals(2, stat(b, "framesIn"), "the empty frame is not counted");
        assertEquals(1, stat(b, "open"));
        assertTrue(b.links().get(0).isOpen());
      });
      ctx.completeNow();
    }
  }

  @Test
  void listenWithoutEpollFailsClearly() throws Exception {
    Vertx nio = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    try {
      assertFalse(nio.isNativeTransportEnabled());
      Future<TcpTransport> f = TcpTransport.listen(nio, new InetSocketAddress(LOOPBACK, 0), CONFIG, (s, d, a) -> { },
        () -> null, new Counters());
      assertTrue(f.failed());
      IllegalStateException e = assertInstanceOf(IllegalStateException.class, f.cause());
      assertTrue(e.getMessage().contains("epoll"), e.getMessage());
    } finally {
      await(nio.close());
    }
  }

  @Test
  void closeWaitsForTheDrainButNoLongerThanDrainMs(VertxTestContext ctx) throws Exception {
    CompletableFuture<TcpLink> link = new CompletableFuture<>();
    TcpTransport b = listen(new TcpTransport.Config(MAX, 0, 0, 300, 8192), new Counters(), (s, d, f) -> link.complete(linkOf(f)));
    try (Socket raw = new Socket()) {
      raw.setReceiveBufferSize(4096);
      raw.connect(b.localAddress());
      raw.setSoTimeout(5000);
      raw.getOutputStream().write(wire("go"));
      TcpLink l = await(link);
      for (int i = 0; i < 500; i++) l.send(frame(MAX, i)); // 2 MB the peer does not read
      long t0 = System.nanoTime();
      CompletableFuture<Void> closed = closed(l);
      l.close();
      await(closed);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      ctx.verify(() -> {
        assertTrue(ms >= 250 && ms < 2000, "close took " + ms + " ms with drainMs=300");
        assertEquals("closed here", l.closeReason());
        assertTrue(readsToEnd(raw.getInputStream())); // what arrived, then the RST
      });
      ctx.completeNow();
    }
  }

  @Test
  void thousandCyclesLeaveNoLinksAndNoWaitStates(VertxTestContext ctx) throws Exception {
    long t0 = System.nanoTime();
    CompletableFuture<?>[] atA = {null}, atB = {null};
    TcpTransport a = listen(CONFIG, new Counters(), (s, d, f) -> complete(atA, linkOf(f)));
    TcpTransport b = listen(CONFIG, new Counters(), (s, d, f) -> {
      linkOf(f).send(frame("pong"));
      complete(atB, linkOf(f));
    });
    ContextInternal ctxA = newContext();
    int cycles = 1000;
    for (int i = 0; i < cycles; i++) {
      CompletableFuture<TcpLink> gotA = new CompletableFuture<>(), gotB = new CompletableFuture<>();
      atA[0] = gotA;
      atB[0] = gotB;
      if (i % 10 == 9) {
        try (Socket raw = new Socket(LOOPBACK, b.localAddress().getPort())) {
          raw.setSoTimeout(5000);
          raw.getOutputStream().write(wire("ping"));
          DataInputStream in = new DataInputStream(raw.getInputStream());
          byte[] pong = new byte[wire("pong").length];
          in.readFully(pong);
          assertArrayEquals(wire("pong"), pong);
          raw.shutdownOutput();
          assertTrue(readsToEnd(in));
        }
        await(closed(await(gotB)));
        continue;
      }
      TcpEndpoint ep = await(a.connect(ctxA, b.localAddress(), 2000));
      CompletableFuture<Void> closedA = closed(ep.link());
      ep.link().send(frame("ping"));
      assertSame(ep.link(), await(gotA));
      TcpLink lb = await(gotB);
      CompletableFuture<Void> closedB = closed(lb);
      if (i % 2 == 0) ep.link().close();
      else lb.close();
      await(closedA);
      await(closedB);
    }
    until(() -> stat(a, "open") == 0 && stat(b, "open") == 0
      && stat(a, "closed") == stat(a, "accepted") + stat(a, "connected")
      && stat(b, "closed") == stat(b, "accepted") + stat(b, "connected")).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      for (String state : List.of("close-wait", "time-wait")) {
        List<String> lines = ss(state);
        for (TcpTransport t : List.of(a, b)) {
          String port = ":" + t.localAddress().getPort();
          for (String line : lines) {
            assertFalse((line + " ").contains(port + " "), state + " socket on " + port + ": " + line);
          }
        }
      }
      assertEquals(cycles - cycles / 10, stat(a, "connected"));
      assertEquals(cycles, stat(b, "accepted"));
      assertEquals(cycles / 10, stat(b, "halfClosed"));
      System.out.println(cycles + " cycles in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms; a="
        + a.stats() + " b=" + b.stats());
      ctx.completeNow();
    })));
  }

  @SuppressWarnings("unchecked")
  static void complete(CompletableFuture<?>[] slot, TcpLink link) {
    ((CompletableFuture<TcpLink>) slot[0]).complete(link);
  }

  static CompletableFuture<Void> closed(TcpLink link) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    link.onClose(() -> f.complete(null));
    return f;
  }

  static List<String> ss(String state) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("ss", "-tanH", "state", state).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertEquals(0, p.waitFor(), "ss failed: " + out);
    List<String> lines = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) if (!line.isBlank()) lines.add(line);
    return lines;
  }

  @Test
  void closingTheTransportClosesEveryLinkOnce() throws Exception {
    Map<TcpLink, AtomicInteger> closes = new ConcurrentHashMap<>();
    Set<TcpLink> atB = ConcurrentHashMap.newKeySet();
    TcpTransport b = listen(CONFIG, new Counters(), (s, d, f) -> {
      TcpLink l = linkOf(f);
      if (atB.add(l)) {
        AtomicInteger n = new AtomicInteger();
        closes.put(l, n);
        l.onClose(n::incrementAndGet);
      }
    });
    List<TcpLink> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TcpTransport c = listen(CONFIG, new Counters(), (s, d, f) -> { });
      TcpEndpoint ep = await(c.connect(newContext(), b.localAddress(), 2000));
      ep.link().send(frame("from " + i));
      peers.add(ep.link());
    }
    TcpTransport d = listen(CONFIG, new Counters(), (s, data, f) -> { });
    TcpEndpoint out = await(b.connect(newContext(), d.localAddress(), 2000));
    out.link().send(frame("outbound")); // sent from the test thread: hops onto the loop
    AtomicInteger outCloses = new AtomicInteger();
    out.link().onClose(outCloses::incrementAndGet);
    List<Socket> raws = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket raw = new Socket(LOOPBACK, b.localAddress().getPort());
        raws.add(raw);
        raw.getOutputStream().write(wire("raw " + i));
      }
      await(until(() -> atB.size() == 5));
      assertEquals(6, stat(b, "open"));
      TcpLink first = atB.iterator().next();
      first.close(); // a close racing the transport's own
      Future<Void> f1 = b.close(), f2 = b.close();
      await(f1);
      await(f2);
      for (TcpLink l : atB) {
        assertFalse(l.isOpen());
        l.close(); // no effect once closed
      }
      CompletableFuture<Void> late = new CompletableFuture<>();
      first.onClose(() -> late.complete(null)); // added after the close: runs at once, on the loop
      await(late);
      for (Map.Entry<TcpLink, AtomicInteger> e : closes.entrySet()) assertEquals(1, e.getValue().get(), e.getKey().toString());
      assertEquals(1, outCloses.get());
      assertEquals("closed here", first.closeReason());
      assertEquals("transport closed", out.link().closeReason());
      JsonObject st = b.stats();
      assertEquals(0, st.getLong("open"));
      assertEquals(6, st.getLong("closed"));
      assertTrue(b.links().isEmpty());
      for (TcpLink p : peers) await(closed(p)); // the peers saw the RST
      assertTrue(peers.stream().allMatch(p -> "reset by peer".equals(p.closeReason())), peers.toString());
      Future<TcpEndpoint> afterClose = b.connect(newContext(), d.localAddress(), 2000);
      afterClose.toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
      assertInstanceOf(TcpConnectException.class, afterClose.cause());
    } finally {
      for (Socket r : raws) r.close();
    }
  }
}
