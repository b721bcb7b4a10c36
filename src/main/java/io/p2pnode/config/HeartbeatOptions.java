package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code heartbeat}: keepalives, liveness and registration refresh. */
public final class HeartbeatOptions {
  /** NAT UDP mappings can expire after ~20 s idle; 5 s keeps them open with margin for loss. */
  public static final long DEFAULT_INTERVAL_MS = 5_000;
  /** Three missed keepalives: long enough to ride out a short loss burst. */
  public static final long DEFAULT_TIMEOUT_MS = 15_000;

  /** Off by default: probing costs a second socket and a few minutes of occasional packets. */
  public static final boolean DEFAULT_MEASURE_NAT_TIMEOUT = false;
  /** Longest keepalive interval probing may arrive at. */
  public static final long DEFAULT_MAX_INTERVAL_MS = 120_000;

  static final Set<String> KEYS = Set.of("intervalMs", "timeoutMs", "measureNatTimeout", "maxIntervalMs");

  private long intervalMs = DEFAULT_INTERVAL_MS;
  private long timeoutMs = DEFAULT_TIMEOUT_MS;
  private boolean measureNatTimeout = DEFAULT_MEASURE_NAT_TIMEOUT;
  private long maxIntervalMs = DEFAULT_MAX_INTERVAL_MS;

  static HeartbeatOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "heartbeat");
    f.rejectUnknown(KEYS);
    HeartbeatOptions o = new HeartbeatOptions();
    o.intervalMs = f.integer("intervalMs", DEFAULT_INTERVAL_MS, 10, 3_600_000);
    o.timeoutMs = f.integer("timeoutMs", DEFAULT_TIMEOUT_MS, 20, 86_400_000L);
    o.measureNatTimeout = f.bool("measureNatTimeout", DEFAULT_MEASURE_NAT_TIMEOUT);
    o.maxIntervalMs = f.integer("maxIntervalMs", DEFAULT_MAX_INTERVAL_MS, 1_000, 3_600_000);
    if (o.timeoutMs <= o.intervalMs) {
      throw new ConfigException(f.key("timeoutMs"), "must be greater than heartbeat.intervalMs (" + o.intervalMs + ")");
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("intervalMs", intervalMs).put("timeoutMs", timeoutMs)
      .put("measureNatTimeout", measureNatTimeout).put("maxIntervalMs", maxIntervalMs);
  }

  public long intervalMs() { return intervalMs; }
  public long timeoutMs() { return timeoutMs; }
  public boolean measureNatTimeout() { return measureNatTimeout; }
  public long maxIntervalMs() { return maxIntervalMs; }
  public HeartbeatOptions setIntervalMs(long v) { this.intervalMs = v; return this; }
  public HeartbeatOptions setTimeoutMs(long v) { this.timeoutMs = v; return this; }
}
