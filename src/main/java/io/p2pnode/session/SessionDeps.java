package io.p2pnode.session;

import io.p2pnode.config.HeartbeatOptions;
import io.p2pnode.dataplane.DataPlaneDeps;
import io.p2pnode.dataplane.Deliverer;
import io.p2pnode.dataplane.StreamSink;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;
import io.p2pnode.wire.NatType;

import java.util.function.Supplier;

/**
 * Node-wide collaborators every session shares.
 *
 * @param maxDatagramBytes the path MTU budget: no frame is larger
 * @param localNat         this node's NAT behaviour as detected now
 * @param localPublic      this node's public endpoint as a coordinator observed it, or null
 * @param stats            punch attempts and outcomes by NAT pair
 * @param reassemblyBytes  reassembly memory held by all sessions of the node
 * @param keepaliveMs      the keepalive interval now (measured NAT timeout, else {@code heartbeat.intervalMs})
 * @param localKey         this node's static key pair for session handshakes; {@code null}: sessions unencrypted
 * @param streams          where byte streams peers open to this node go
 * @param random           the randomness of each session's congestion controller (BBR's probing), one per session:
 *                         a random seed in production, a fixed one where a test must repeat a run exactly
 */
public record SessionDeps(String localPeerId, SessionOptions session, HeartbeatOptions heartbeat, int maxDatagramBytes,
                          Scheduler scheduler, Counters counters, Deliverer deliverer, Supplier<NatType> localNat,
                          Supplier<java.net.InetSocketAddress> localPublic, PunchStats stats,
                          java.util.concurrent.atomic.AtomicLong reassemblyBytes, java.util.function.LongSupplier keepaliveMs,
                          io.p2pnode.crypto.X25519KeyPair localKey, StreamSink streams,
                          Supplier<java.util.Random> random) {

  /** With a random seed per session for the congestion controller. */
  public SessionDeps(String localPeerId, SessionOptions session, HeartbeatOptions heartbeat, int maxDatagramBytes,
                     Scheduler scheduler, Counters counters, Deliverer deliverer, Supplier<NatType> localNat,
                     Supplier<java.net.InetSocketAddress> localPublic, PunchStats stats,
                     java.util.concurrent.atomic.AtomicLong reassemblyBytes, java.util.function.LongSupplier keepaliveMs,
                     io.p2pnode.crypto.X25519KeyPair localKey, StreamSink streams) {
    this(localPeerId, session, heartbeat, maxDatagramBytes, scheduler, counters, deliverer, localNat, localPublic, stats,
      reassemblyBytes, keepaliveMs, localKey, streams, java.util.Random::new);
  }

  /** Without byte streams: every stream a peer opens is refused (404). */
  public SessionDeps(String localPeerId, SessionOptions session, HeartbeatOptions heartbeat, int maxDatagramBytes,
                     Scheduler scheduler, Counters counters, Deliverer deliverer, Supplier<NatType> localNat,
                     Supplier<java.net.InetSocketAddress> localPublic, PunchStats stats,
                     java.util.concurrent.atomic.AtomicLong reassemblyBytes, java.util.function.LongSupplier keepaliveMs,
                     io.p2pnode.crypto.X25519KeyPair localKey) {
    this(localPeerId, session, heartbeat, maxDatagramBytes, scheduler, counters, deliverer, localNat, localPublic, stats,
      reassemblyBytes, keepaliveMs, localKey, StreamSink.REFUSE);
  }

  /** Silence after which a peer is down: {@code heartbeat.timeoutMs}, at least three keepalive intervals. */
  public long liveTimeoutMs() {
    return Math.max(heartbeat.timeoutMs(), 3 * keepaliveMs.getAsLong());
  }

  /** What one session's data plane needs of these; each call draws the congestion controller's randomness afresh. */
  public DataPlaneDeps dataPlane() {
    return new DataPlaneDeps(session, maxDatagramBytes, scheduler, counters, deliverer, reassemblyBytes, localKey != null,
      streams, random.get());
  }
}
