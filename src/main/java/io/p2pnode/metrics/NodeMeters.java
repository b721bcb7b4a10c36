package io.p2pnode.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.p2pnode.session.PunchStats;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The node's own meters, all named {@code p2p_*} in Prometheus. Traffic, drops and relay figures
 * read the node's {@link Counters} when scraped (no second set of increments on the data path);
 * sessions, retransmissions, keepalives, coordinator registrations and punch outcomes come from
 * the {@link NodeSampler}'s once-a-second sample; connect times from {@link PunchStats}; RTT is
 * every session's smoothed RTT, sampled once a second. {@link #close} removes every meter (the
 * registry may be the embedding application's).
 */
public final class NodeMeters implements AutoCloseable {
  /** Histogram buckets for RTT and connect time: LAN to intercontinental relay. */
  static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
  static final List<String> PATHS = List.of("direct-lan", "direct", "direct-tcp", "relay", "none");
  static final List<String> STATES = List.of("CONNECTING", "UP", "CLOSED");

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<String, Long> punchSeen = new ConcurrentHashMap<>(); // "attempts pair" / "outcomes pair result" -> n
  private final Map<String, long[]> perSession = new HashMap<>(); // peer/session -> {retransmitted, keepalives}
  private final MultiGauge sessions;
  private final MultiGauge coordinators;
  private final Timer rtt;
  private final Timer connect;
  private final Counter ticks;
  private volatile long retransmissions;
  private volatile long keepalives;
  private volatile double clusterMembers = Double.NaN;

  /**
   * @param registryPeers peers in this coordinator's registry, or null when the node is not a coordinator
   */
  public NodeMeters(MeterRegistry registry, Counters counters, PunchStats punch, LoopWatchdog watchdog,
                    java.util.function.IntSupplier registryPeers) {
    this.registry = registry;
    counter("p2p.frames.in", "node frames received (UDP datagrams and TCP frames that passed the header check)", counters, Counters::framesInTotal);
    counter("p2p.frames.out", "node frames sent", counters, Counters::framesOutTotal);
    counter("p2p.bytes.in", "bytes of node frames received", counters, Counters::bytesInTotal);
    counter("p2p.bytes.out", "bytes of node frames sent", counters, Counters::bytesOutTotal);
    counter("p2p.messages.in", "application messages from peers handed to a consumer here", counters, Counters::messagesInTotal);
    counter("p2p.messages.out", "application messages given to p2p.send / p2p.request here", counters, Counters::messagesOutTotal);
    counter("p2p.stun.answered", "STUN Binding requests answered", counters, Counters::stunAnsweredTotal);
    counter("p2p.relay.frames.in", "frames that reached this node through a coordinator's relay", counters, Counters::relayedInTotal);
    counter("p2p.relay.frames.forwarded", "frames this coordinator relayed for peers", counters, Counters::relayForwardedTotal);
    counter("p2p.relay.bytes.forwarded", "bytes of frames this coordinator relayed for peers", counters, Counters::relayForwardedBytesTotal);
    for (Drop d : Drop.values()) {
      meters.add(FunctionCounter.builder("p2p.drops", counters, c -> c.drops(d)).tag("reason", d.name())
        .description("datagrams and messages dropped, by reason").register(registry));
    }
    meters.add(FunctionCounter.builder("p2p.retransmissions", this, m -> m.retransmissions)
      .description("chunks sent again after a loss, all sessions").register(registry));
    meters.add(FunctionCounter.builder("p2p.keepalives.sent", this, m -> m.keepalives)
      .description("keepalives sent on idle paths, all sessions").register(registry));
    ticks = Counter.builder("p2p.heartbeat.ticks").description("ticks of the node's heartbeat timer").register(registry);
    meters.add(ticks);
    gauge("p2p.event.loop.blocked", "1 when an event loop has not run a queued task for 2 s", watchdog, w -> w.blocked() ? 1 : 0);
    gauge("p2p.event.loop.lag.seconds", "longest current event-loop lag", watchdog, w -> w.maxLagMs() / 1000.0);
    if (registryPeers != null) {
      gauge("p2p.registry.peers", "peers registered at this coordinator", registryPeers, s -> s.getAsInt());
    }
    gauge("p2p.cluster.members", "members of the coordinators' cluster (1 standalone)", this, m -> m.clusterMembers);
    sessions = MultiGauge.builder("p2p.sessions").description("sessions by path and state").register(registry);
    coordinators = MultiGauge.builder("p2p.coordinator.registered")
      .description("1 while registered with the coordinator (over UDP or TCP)").register(registry);
    rtt = Timer.builder("p2p.rtt").description("smoothed RTT of each session, sampled once a second")
      .serviceLevelObjectives(BUCKETS).register(registry);
    connect = Timer.builder("p2p.connect").description("time from the start of punching to the first working path")
      .serviceLevelObjectives(BUCKETS).register(registry);
    meters.add(rtt);
    meters.add(connect);
    punch.onConnect(ms -> connect.record(ms, TimeUnit.MILLISECONDS));
  }

  /** Counts one heartbeat tick. */
  public void tick() {
    ticks.increment();
  }

  /** Updates the sampled meters from {@code s} (on the sampler's thread). */
  public synchronized void update(NodeSampler.Sample s) {
    if (s.stale()) return;
    Map<List<String>, Integer> byPathState = new LinkedHashMap<>();
    for (String p : PATHS) for (String st : STATES) byPathState.put(List.of(p, st), 0);
    Map<String, long[]> seen = new HashMap<>();
    for (Object o : s.peers()) {
      if (!(o instanceof JsonObject peer)) continue;
      String path = peer.getString("path") == null ? "none" : peer.getString("path");
      byPathState.merge(List.of(path, String.valueOf(peer.getString("state"))), 1, Integer::sum);
      if ("UP".equals(peer.getString("state")) && peer.getValue("rttMs") instanceof Number n) {
        rtt.record(Math.round(n.doubleValue() * 1_000), TimeUnit.MICROSECONDS);
      }
      JsonObject t = peer.getJsonObject("transport", new JsonObject());
      long[] now = {t.getLong("retransmittedChunks", 0L), peer.getLong("keepalivesSent", 0L)};
      String key = peer.getString("peerId") + "/" + peer.getString("sessionId");
      long[] before = perSession.getOrDefault(key, new long[2]);
      retransmissions += now[0] >= before[0] ? now[0] - before[0] : now[0];
      keepalives += now[1] >= before[1] ? now[1] - before[1] : now[1];
      seen.put(key, now);
    }
    perSession.clear();
    perSession.putAll(seen);
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    byPathState.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of("path", k.get(0), "state", k.get(1)), n)));
    sessions.register(rows, true);
    List<MultiGauge.Row<?>> regs = new ArrayList<>();
    for (Object o : s.status().getJsonArray("coordinators", new JsonArray())) {
      if (o instanceof JsonObject c) {
        regs.add(MultiGauge.Row.of(Tags.of("coordinator", String.valueOf(c.getString("address"))),
          Boolean.TRUE.equals(c.getBoolean("registered")) ? 1 : 0));
      }
    }
    coordinators.register(regs, true);
    JsonObject cluster = s.status().getJsonObject("cluster");
    if (cluster != null && cluster.getValue("members") instanceof Number n) clusterMembers = n.doubleValue();
    punchCounters(s.status().getJsonObject("punch", new JsonObject()));
  }

  /** Attempts and outcomes by NAT pair and result: a counter per key as it first appears. */
  private void punchCounters(JsonObject punch) {
    JsonObject attempts = punch.getJsonObject("attempts", new JsonObject());
    for (String pair : attempts.fieldNames()) {
      String key = "attempts " + pair;
      if (punchSeen.put(key, attempts.getLong(pair)) == null) {
        meters.add(FunctionCounter.builder("p2p.punch.attempts", punchSeen, m -> m.getOrDefault(key, 0L))
          .tag("pair", pair).description("connection attempts by NAT pair (mine/theirs)").register(registry));
      }
    }
    JsonObject outcomes = punch.getJsonObject("outcomes", new JsonObject());
    for (String pairResult : outcomes.fieldNames()) {
      String key = "outcomes " + pairResult;
      int sp = pairResult.lastIndexOf(' ');
      if (punchSeen.put(key, outcomes.getLong(pairResult)) == null && sp > 0) {
        meters.add(FunctionCounter.builder("p2p.punch.outcomes", punchSeen, m -> m.getOrDefault(key, 0L))
          .tag("pair", pairResult.substring(0, sp)).tag("result", pairResult.substring(sp + 1))
          .description("connection attempts by NAT pair and the path that won (or failed)").register(registry));
      }
    }
  }

  private void counter(String name, String help, Counters counters, ToDoubleFunction<Counters> f) {
    meters.add(FunctionCounter.builder(name, counters, f).description(help).register(registry));
  }

  private <T> void gauge(String name, String help, T source, ToDoubleFunction<T> f) {
    meters.add(Gauge.builder(name, source, f).description(help).strongReference(true).register(registry));
  }

  @Override
  public synchronized void close() {
    sessions.register(List.of(), true);
    coordinators.register(List.of(), true);
    for (Meter m : meters) registry.remove(m);
    meters.clear();
  }
}
