package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code heartbeat}: keepalives, liveness and registration refresh. */
public final class HeartbeatOptions {
  /** NAT UDP mappings can expire after ~20 s idle; 5 s keeps them open with margin for loss. */
  public static final long DEFAULT_INTERVAL_MS = 5_000;
  /** Three missed keepalives: long enough to ride out a short loss burst. */
  public static final long DEFAULT_TIMEOUT_MS = 15_000;

  static final Set<String> KEYS = Set.of("intervalMs", "timeoutMs");

  private long intervalMs = DEFAULT_INTERVAL_MS;
  private long timeoutMs = DEFAULT_TIMEOUT_MS;

  static HeartbeatOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "heartbeat");
    f.rejectUnknown(KEYS);
    HeartbeatOptions o = new HeartbeatOptions();
    o.intervalMs = f.integer("intervalMs", DEFAULT_INTERVAL_MS, 10, 3_600_000);
    o.timeoutMs = f.integer("timeoutMs", DEFAULT_TIMEOUT_MS, 20, 86_400_000L);
    if (o.timeoutMs <= o.intervalMs) {
      throw new ConfigException(f.key("timeoutMs"), "must be greater than heartbeat.intervalMs (" + o.intervalMs + ")");
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("intervalMs", intervalMs).put("timeoutMs", timeoutMs);
  }

  public long intervalMs() { return intervalMs; }
  public long timeoutMs() { return timeoutMs; }
  public HeartbeatOptions setIntervalMs(long v) { this.intervalMs = v; return this; }
  public HeartbeatOptions setTimeoutMs(long v) { this.timeoutMs = v; return this; }
}
