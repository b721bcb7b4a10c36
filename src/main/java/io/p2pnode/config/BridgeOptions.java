package io.p2pnode.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Section {@code bridge}: the TCP event-bus bridge for applications in any language. */
public final class BridgeOptions {
  /** Loopback only: the bridge has no authentication, so it must not face a network by default. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Next to the UDP port, so the CLI finds the embedded default node; 0 disables the bridge. */
  public static final int DEFAULT_PORT = 7701;
  /** The default inbound address, so {@code listen} works out of the box. */
  public static final List<String> DEFAULT_PERMITTED = List.of("p2p\\.inbound");

  static final Set<String> KEYS = Set.of("host", "port", "permitted");

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private List<String> permitted = DEFAULT_PERMITTED;

  static BridgeOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "bridge");
    f.rejectUnknown(KEYS);
    BridgeOptions o = new BridgeOptions();
    o.host = Endpoints.requireHost(f.key("host"), f.string("host", DEFAULT_HOST));
    o.port = (int) f.integer("port", DEFAULT_PORT, 0, 65535);
    o.permitted = f.strings("permitted", DEFAULT_PERMITTED);
    for (String regex : o.permitted) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new ConfigException(f.key("permitted"), "\"" + regex + "\" is not a regular expression: " + e.getDescription());
      }
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("permitted", new JsonArray(permitted));
  }

  public boolean enabled() { return port != 0; }
  public String host() { return host; }
  public int port() { return port; }
  /** Regular expressions of application addresses let through in both directions. */
  public List<String> permitted() { return permitted; }
  public BridgeOptions setPort(int port) { this.port = port; return this; }
  public BridgeOptions setPermitted(List<String> permitted) { this.permitted = List.copyOf(permitted); return this; }
}
