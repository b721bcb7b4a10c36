package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code cluster}: Hazelcast clustering of coordinators. */
public final class ClusterOptions {
  /** Standalone is the embedded default: a local registry, no Hazelcast. */
  public static final boolean DEFAULT_ENABLED = false;
  /** The local template: tcp-ip join on 127.0.0.1, multicast off. */
  public static final String DEFAULT_CONFIG = "cluster/hazelcast-local.xml";

  static final Set<String> KEYS = Set.of("enabled", "config");

  private boolean enabled = DEFAULT_ENABLED;
  private String config = DEFAULT_CONFIG;

  static ClusterOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "cluster");
    f.rejectUnknown(KEYS);
    ClusterOptions o = new ClusterOptions();
    o.enabled = f.bool("enabled", DEFAULT_ENABLED);
    o.config = f.string("config", DEFAULT_CONFIG);
    if (o.enabled && !new java.io.File(o.config).canRead()) {
      throw new ConfigException(f.key("config"), "file \"" + o.config + "\" is not readable");
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("enabled", enabled).put("config", config);
  }

  public boolean enabled() { return enabled; }
  public String config() { return config; }
}
