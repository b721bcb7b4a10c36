package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/** Section {@code coordinator}: the rendezvous server role of this node. */
public final class CoordinatorOptions {
  /** The embedded default is a standalone node that is its own coordinator (DESIGN §5). */
  public static final boolean DEFAULT_ENABLED = true;
  /** A registration lives for 6 default heartbeat intervals: a peer may miss a few refreshes. */
  public static final long DEFAULT_REGISTRATION_TTL_MS = 30_000;
  /** Bound on registered peers so a flood of registrations cannot exhaust memory. */
  public static final int DEFAULT_MAX_PEERS = 100_000;

  /** Relay is the fallback for symmetric NATs: enough for chat and control traffic, not for bulk (per peer). */
  public static final long DEFAULT_RELAY_RATE_BYTES_PER_SEC = 256 * 1024;
  /** Total bytes one peer may have relayed while registered; 0 disables relaying. */
  public static final long DEFAULT_RELAY_MAX_BYTES = 1L << 30;

  /**
   * A second UDP port whose acks let peers tell endpoint-independent from endpoint-dependent NAT
   * mappings with a single coordinator. 0 = any free port (announced in acks), -1 = none.
   */
  public static final int DEFAULT_PROBE_PORT = 0;
  /** An open network: any key that proves itself may register (a network key or this list closes it). */
  public static final List<String> DEFAULT_ALLOWED_KEYS = List.of();

  static final Set<String> KEYS = Set.of("enabled", "registrationTtlMs", "maxPeers", "relayRateBytesPerSec", "relayMaxBytes", "allowedKeys",
    "probePort");

  private boolean enabled = DEFAULT_ENABLED;
  private long registrationTtlMs = DEFAULT_REGISTRATION_TTL_MS;
  private int maxPeers = DEFAULT_MAX_PEERS;
  private long relayRateBytesPerSec = DEFAULT_RELAY_RATE_BYTES_PER_SEC;
  private long relayMaxBytes = DEFAULT_RELAY_MAX_BYTES;
  private int probePort = DEFAULT_PROBE_PORT;
  private List<String> allowedKeys = DEFAULT_ALLOWED_KEYS;

  static CoordinatorOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "coordinator");
    f.rejectUnknown(KEYS);
    CoordinatorOptions o = new CoordinatorOptions();
    o.enabled = f.bool("enabled", DEFAULT_ENABLED);
    o.registrationTtlMs = f.integer("registrationTtlMs", DEFAULT_REGISTRATION_TTL_MS, 100, 86_400_000L);
    o.maxPeers = (int) f.integer("maxPeers", DEFAULT_MAX_PEERS, 1, 10_000_000);
    o.relayRateBytesPerSec = f.integer("relayRateBytesPerSec", DEFAULT_RELAY_RATE_BYTES_PER_SEC, 1, 1L << 40);
    o.relayMaxBytes = f.integer("relayMaxBytes", DEFAULT_RELAY_MAX_BYTES, 0, Long.MAX_VALUE);
    o.probePort = (int) f.integer("probePort", DEFAULT_PROBE_PORT, -1, 65535);
    o.allowedKeys = f.strings("allowedKeys", DEFAULT_ALLOWED_KEYS);
    for (String k : o.allowedKeys) {
      byte[] raw;
      try {
        raw = java.util.Base64.getDecoder().decode(k);
      } catch (IllegalArgumentException e) {
        raw = new byte[0];
      }
      if (raw.length != 32) throw new ConfigException(f.key("allowedKeys"), "\"" + k + "\" is not a base64 X25519 public key (32 bytes)");
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("registrationTtlMs", registrationTtlMs).put("maxPeers", maxPeers)
      .put("relayRateBytesPerSec", relayRateBytesPerSec).put("relayMaxBytes", relayMaxBytes).put("probePort", probePort)
      .put("allowedKeys", new io.vertx.core.json.JsonArray(allowedKeys));
  }

  public boolean enabled() { return enabled; }
  public long registrationTtlMs() { return registrationTtlMs; }
  public int maxPeers() { return maxPeers; }
  public long relayRateBytesPerSec() { return relayRateBytesPerSec; }
  public long relayMaxBytes() { return relayMaxBytes; }
  /** Probe port: 0 any free port, -1 none. */
  public int probePort() { return probePort; }
  /** Base64 public keys that may register; empty: any key. */
  public List<String> allowedKeys() { return allowedKeys; }
  public CoordinatorOptions setEnabled(boolean enabled) { this.enabled = enabled; return this; }
}
