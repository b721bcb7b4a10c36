package io.p2pnode.session;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection attempts and their outcomes by NAT-pair type ("mine/theirs", e.g.
 * {@code endpoint-independent/endpoint-dependent}), and a histogram of the time from the start of
 * punching to the first working path. Written by sessions on any thread; shown in {@code p2p.status}.
 */
public final class PunchStats {
  /** Upper bounds of the time-to-connect buckets, ms; the last bucket is everything above. */
  static final long[] BOUNDS_MS = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000};

  private final Map<String, LongAdder> attempts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
  private volatile java.util.function.LongConsumer connectListener = ms -> { };
  /** Per strategy: attempts, successes, failures, probes sent. */
  private final Map<io.p2pnode.punch.Strategy, LongAdder[]> strategies = new java.util.EnumMap<>(io.p2pnode.punch.Strategy.class);

  public PunchStats() {
    for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
    for (io.p2pnode.punch.Strategy st : io.p2pnode.punch.Strategy.values()) {
      strategies.put(st, new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()});
    }
  }

  /** A try with strategy {@code s} started. */
  public void strategyAttempt(io.p2pnode.punch.Strategy s) {
    strategies.get(s)[0].increment();
  }

  /** A path was found with strategy {@code s}. */
  public void strategySuccess(io.p2pnode.punch.Strategy s) {
    strategies.get(s)[1].increment();
  }

  /** A try with strategy {@code s} ended without a path. */
  public void strategyFailure(io.p2pnode.punch.Strategy s) {
    strategies.get(s)[2].increment();
  }

  /** {@code n} probes (or opening packets) of strategy {@code s} left. */
  public void probesSent(io.p2pnode.punch.Strategy s, long n) {
    strategies.get(s)[3].add(n);
  }

  void attempt(String pair) {
    attempts.computeIfAbsent(pair, k -> new LongAdder()).increment();
  }

  /** @param result the path that won ({@code direct}, {@code relay}...) or {@code failed} */
  void outcome(String pair, String result, long ms) {
    outcomes.computeIfAbsent(pair + " " + result, k -> new LongAdder()).increment();
    if (!result.equals("failed")) {
      connectListener.accept(ms);
      int i = 0;
      while (i < BOUNDS_MS.length && ms > BOUNDS_MS[i]) i++;
      buckets[i].increment();
    }
  }

  /** {@code listener} gets the time to connect (ms) of every attempt that found a path (the metrics' histogram). */
  public void onConnect(java.util.function.LongConsumer listener) {
    connectListener = listener;
  }

  /**
   * {@code {"attempts":{pair:n},"outcomes":{"pair path":n},"connectMs":{"<=10":n,...,">10000":n},
   * "strategies":{"punch|birthday|prediction|tcp|relay":{"attempts","successes","failures","probesSent"}}}}
   */
  public JsonObject toJson() {
    JsonObject a = new JsonObject();
    new TreeMap<>(attempts).forEach((k, v) -> a.put(k, v.sum()));
    JsonObject o = new JsonObject();
    new TreeMap<>(outcomes).forEach((k, v) -> o.put(k, v.sum()));
    JsonObject h = new JsonObject();
    for (int i = 0; i < buckets.length; i++) {
      h.put(i < BOUNDS_MS.length ? "<=" + BOUNDS_MS[i] : ">" + BOUNDS_MS[BOUNDS_MS.length - 1], buckets[i].sum());
    }
    JsonObject st = new JsonObject();
    strategies.forEach((k, v) -> st.put(k.wireName(), new JsonObject().put("attempts", v[0].sum()).put("successes", v[1].sum())
      .put("failures", v[2].sum()).put("probesSent", v[3].sum())));
    return new JsonObject().put("attempts", a).put("outcomes", o).put("connectMs", h).put("strategies", st);
  }
}
