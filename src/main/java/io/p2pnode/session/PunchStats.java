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

  public PunchStats() {
    for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
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

  /** {@code {"attempts":{pair:n},"outcomes":{"pair path":n},"connectMs":{"<=10":n,...,">10000":n}}} */
  public JsonObject toJson() {
    JsonObject a = new JsonObject();
    new TreeMap<>(attempts).forEach((k, v) -> a.put(k, v.sum()));
    JsonObject o = new JsonObject();
    new TreeMap<>(outcomes).forEach((k, v) -> o.put(k, v.sum()));
    JsonObject h = new JsonObject();
    for (int i = 0; i < buckets.length; i++) {
      h.put(i < BOUNDS_MS.length ? "<=" + BOUNDS_MS[i] : ">" + BOUNDS_MS[BOUNDS_MS.length - 1], buckets[i].sum());
    }
    return new JsonObject().put("attempts", a).put("outcomes", o).put("connectMs", h);
  }
}
