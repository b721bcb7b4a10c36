package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code identity}: the node's long-term X25519 key pair. */
public final class IdentityOptions {
  /**
   * No file: a fresh key pair at every start (and so a new self-certifying peer id when
   * {@code peerId} is not set). Set a path to keep the identity across restarts.
   */
  public static final String DEFAULT_KEY_FILE = "";

  /** An open network: no shared secret needed to register. */
  public static final String DEFAULT_NETWORK_KEY = "";

  static final Set<String> KEYS = Set.of("keyFile", "networkKey");

  private String keyFile = DEFAULT_KEY_FILE;
  private String networkKey = DEFAULT_NETWORK_KEY;

  static IdentityOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "identity");
    f.rejectUnknown(KEYS);
    IdentityOptions o = new IdentityOptions();
    o.keyFile = f.string("keyFile", DEFAULT_KEY_FILE);
    if (o.keyFile.endsWith("/")) throw new ConfigException(f.key("keyFile"), "must name a file, got the directory \"" + o.keyFile + "\"");
    o.networkKey = f.string("networkKey", DEFAULT_NETWORK_KEY);
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("keyFile", keyFile).put("networkKey", networkKey);
  }

  /** Where the key pair is kept (created with mode 0600 on first start); empty: not kept. */
  public String keyFile() { return keyFile; }
  /**
   * The network's shared secret: coordinators register only peers that know it (it is mixed into
   * the registration proof). Empty: an open network.
   */
  public byte[] networkKey() { return networkKey.getBytes(java.nio.charset.StandardCharsets.UTF_8); }
}
