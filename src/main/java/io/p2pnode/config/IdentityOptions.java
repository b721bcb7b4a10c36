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

  static final Set<String> KEYS = Set.of("keyFile");

  private String keyFile = DEFAULT_KEY_FILE;

  static IdentityOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "identity");
    f.rejectUnknown(KEYS);
    IdentityOptions o = new IdentityOptions();
    o.keyFile = f.string("keyFile", DEFAULT_KEY_FILE);
    if (o.keyFile.endsWith("/")) throw new ConfigException(f.key("keyFile"), "must name a file, got the directory \"" + o.keyFile + "\"");
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("keyFile", keyFile);
  }

  /** Where the key pair is kept (created with mode 0600 on first start); empty: not kept. */
  public String keyFile() { return keyFile; }
}
