package io.p2pnode.session;

import io.p2pnode.dataplane.StreamSink;
import io.p2pnode.dataplane.Deliverer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.time.ManualScheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.NatType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Two sessions, "a" and "b", connected by a simulated link on a manual clock: each datagram is
 * delivered after {@code delayMs} (+ up to {@code jitterMs}, which reorders), unless lost;
 * some are duplicated. For reliability tests below the node level.
 */
final class SessionPair {
  static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 7700);
  static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 7700);

  final ManualScheduler clock = new ManualScheduler();
  final Random random = new Random(7);
  final Counters countersA = new Counters();
  final Counters countersB = new Counters();
  final List<SessionCodec.Data> deliveredAtB = new ArrayList<>();
  final List<SessionCodec.Data> deliveredAtA = new ArrayList<>();
  final PeerSession a;
  final PeerSession b;
  double loss;
  double duplication;
  long delayMs = 1;
  long jitterMs;
  long datagramsAtoB;
  /** Times a's session handed its datagrams to the socket before its loop turn ended ({@code PacketSocket#flush}). */
  long earlyFlushesAtoB;
  long bytesBtoA;
  /** When &gt; 0, a's datagrams to b cross a bottleneck of this rate (bytes/s) with a tail-drop queue of {@link #queueBytesAtoB}. */
  long rateAtoB;
  long queueBytesAtoB = Long.MAX_VALUE;
  /** a's datagrams to b longer than this are dropped (a path that carries small datagrams only). */
  int maxBytesAtoB = Integer.MAX_VALUE;
  long droppedAtBottleneck;
  private long linkFreeAtNanos;
  /** Where byte streams a opens to b go (default: refused). */
  StreamSink streamsAtB = StreamSink.REFUSE;
  /**
   * When set, b receives its datagrams in direct buffers from this allocator, as a socket hands
   * them over, and checks after each that the session left the buffer to its owner.
   */
  io.netty.buffer.UnpooledByteBufAllocator directAtB;
  /** Direct datagrams b's session released although the socket owned them (must stay 0). */
  int directReleasedAtB;
  /** When set, every datagram a sends to b is kept here, as it travelled. */
  List<byte[]> capturedAtoB;
  /** How b's consumers answer; by default at once, echoing a request's body. */
  BiFunction<String, SessionCodec.Data, Future<Object>> consumerB =
    (from, d) -> Future.succeededFuture(d.kind() == SessionCodec.KIND_REQUEST ? d.body() : null);

  /** The congestion controllers' seed unless a test names one: every run of a test is the same run. */
  static final long DEFAULT_CONGESTION_SEED = 1;

  /** Seeds each side's congestion controller (BBR's probing draws on it): what makes a run repeatable. */
  private final long congestionSeed;

  /** @param session extra {@code session} config of both sides */
  SessionPair(JsonObject session) {
    this(session, DEFAULT_CONGESTION_SEED);
  }

  /**
   * @param session        extra {@code session} config of both sides
   * @param congestionSeed the seed of both sides' congestion controllers
   */
  SessionPair(JsonObject session, long congestionSeed) {
    this(session, io.p2pnode.TestKeys.of("b"), io.p2pnode.TestKeys.of("a"), true, congestionSeed);
  }

  /**
   * @param bKey     the key a's introduction names for b (b holds {@code TestKeys.identity("b")})
   * @param aKey     the key b's introduction names for a
   * @param mustConnect whether to fail unless both are up after 50 ms
   */
  SessionPair(JsonObject session, io.p2pnode.wire.PeerKey bKey, io.p2pnode.wire.PeerKey aKey, boolean mustConnect) {
    this(session, bKey, aKey, mustConnect, DEFAULT_CONGESTION_SEED);
  }

  private SessionPair(JsonObject session, io.p2pnode.wire.PeerKey bKey, io.p2pnode.wire.PeerKey aKey, boolean mustConnect,
                      long congestionSeed) {
    this.congestionSeed = congestionSeed;
    NodeOptions o = NodeOptions.fromJson(new JsonObject().put("session", session)
      .put("heartbeat", new JsonObject().put("intervalMs", 1000).put("timeoutMs", 30_000)));
    PeerSession[] peers = new PeerSession[2];
    a = new PeerSession(deps("a", o, countersA, (from, d) -> {
      deliveredAtA.add(d);
      return Future.succeededFuture();
    }, StreamSink.REFUSE), "b", 1, new Link(A, B, () -> peers[1]), listener());
    b = new PeerSession(deps("b", o, countersB, (from, d) -> {
      deliveredAtB.add(d);
      return consumerB.apply(from, d);
    }, (peer, id, address) -> streamsAtB.open(peer, id, address)), "a", 2, new Link(B, A, () -> peers[0]), listener());
    peers[0] = a;
    peers[1] = b;
    a.introduce(99, List.of(new Candidate(B, Path.DIRECT)), null, NatType.UNKNOWN, bKey);
    b.introduce(99, List.of(new Candidate(A, Path.DIRECT)), null, NatType.UNKNOWN, aKey);
    clock.advance(50);
    if (mustConnect && (a.state() != PeerSession.State.UP || b.state() != PeerSession.State.UP)) throw new IllegalStateException("pair did not connect");
  }

  private SessionDeps deps(String id, NodeOptions o, Counters counters, Deliverer deliverer, StreamSink streams) {
    return new SessionDeps(id, o.session(), o.heartbeat(), o.listen().maxDatagramBytes(), clock, counters, deliverer,
      () -> NatType.UNKNOWN, () -> null, new PunchStats(), new AtomicLong(), () -> o.heartbeat().intervalMs(),
      o.session().encryption() ? io.p2pnode.TestKeys.identity(id).keyPair() : null, streams, // encrypted, as nodes run
      () -> new Random(congestionSeed));
  }

  private static SessionListener listener() {
    return new SessionListener() {
      public void onUp(PeerSession s) { }
      public void onDown(PeerSession s, String reason) { }
      public void onPathChanged(PeerSession s, Path previous) { }
    };
  }

  /** Runs both sessions' heartbeat tick every {@code everyMs} from now on (keepalives, key renewal). */
  void startTicks(long everyMs) {
    clock.schedule(everyMs, () -> {
      a.tick();
      b.tick();
      startTicks(everyMs);
    });
  }

  /** Runs the clock until {@code f} completes or {@code maxMs} pass. */
  void runUntil(Future<?> f, long maxMs) {
    runUntil(f::isComplete, maxMs);
  }

  /** Runs the clock until {@code done} holds or {@code maxMs} pass. */
  void runUntil(java.util.function.BooleanSupplier done, long maxMs) {
    long end = clock.clock().millis() + maxMs;
    while (!done.getAsBoolean() && clock.clock().millis() < end) clock.advance(1);
  }

  /** One direction of the link: a socket that delivers to the other session. */
  private final class Link implements PacketSocket {
    final InetSocketAddress local;
    final InetSocketAddress remote;
    final java.util.function.Supplier<PeerSession> peer;

    Link(InetSocketAddress local, InetSocketAddress remote, java.util.function.Supplier<PeerSession> peer) {
      this.local = local;
      this.remote = remote;
      this.peer = peer;
    }

    @Override
    public void send(ByteBuf data, InetSocketAddress to) {
      byte[] bytes = new byte[data.readableBytes()];
      data.readBytes(bytes);
      data.release();
      if (local.equals(A)) datagramsAtoB++;
      else bytesBtoA += bytes.length;
      if (local.equals(A) && capturedAtoB != null) capturedAtoB.add(bytes.clone());
      if (random.nextDouble() < loss) return;
      if (local.equals(A) && bytes.length > maxBytesAtoB) return;
      long extraMs = 0;
      if (local.equals(A) && rateAtoB > 0) { // the bottleneck: serialised at its rate behind what is queued
        long now = clock.clock().nanoTime();
        long queued = Math.max(0, linkFreeAtNanos - now) * rateAtoB / 1_000_000_000L;
        if (queued + bytes.length > queueBytesAtoB) {
          droppedAtBottleneck++;
          return;
        }
        linkFreeAtNanos = Math.max(now, linkFreeAtNanos) + bytes.length * 1_000_000_000L / rateAtoB;
        extraMs = (linkFreeAtNanos - now) / 1_000_000;
      }
      int copies = random.nextDouble() < duplication ? 2 : 1;
      for (int i = 0; i < copies; i++) {
        long d = extraMs + delayMs + (jitterMs > 0 ? random.nextInt((int) jitterMs + 1) : 0);
        clock.schedule(d, () -> deliver(bytes));
      }
    }

    @Override
    public void flush() {
      if (local.equals(A)) earlyFlushesAtoB++;
    }

    private void deliver(byte[] bytes) {
      boolean direct = directAtB != null && local.equals(A); // a link delivers what its side sent
      ByteBuf f = direct ? directAtB.directBuffer(bytes.length).writeBytes(bytes) : Unpooled.wrappedBuffer(bytes);
      try {
        deliver(f);
      } finally {
        if (direct && f.refCnt() != 1) directReleasedAtB++;
        else if (direct) f.release();
      }
    }

    private void deliver(ByteBuf f) {
      FrameType type = FrameCodec.check(f);
      PeerSession p = peer.get();
      if (FrameCodec.sessionId(f) == 0 && type == FrameType.HELLO) {
        f.skipBytes(FrameCodec.HEADER_BYTES);
        p.onHello((ControlMessage.Hello) ControlMessage.decode(type, f), local);
      } else {
        p.onFrame(type, f, local);
      }
    }

    @Override
    public ByteBufAllocator alloc() {
      return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public InetSocketAddress localAddress() {
      return local;
    }

    @Override
    public void close() {
    }
  }
}
