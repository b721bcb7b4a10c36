package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code http}: the operator's HTTP endpoint ({@code /metrics}, {@code /health}, the dashboard at {@code /}). */
public final class HttpOptions {
  /** Loopback only: the endpoint has no authentication and shows peers and endpoints. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Next to the UDP port (7700) and the bridge (7701), so the default node's three ports sit together; 0 disables HTTP. */
  public static final int DEFAULT_PORT = 7702;

  static final Set<String> KEYS = Set.of("host", "port");

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;

  static HttpOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "http");
    f.rejectUnknown(KEYS);
    HttpOptions o = new HttpOptions();
    o.host = Endpoints.requireHost(f.key("host"), f.string("host", DEFAULT_HOST));
    o.port = (int) f.integer("port", DEFAULT_PORT, 0, 65535);
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port);
  }

  /** False when {@code http.port} is 0. */
  public boolean enabled() { return port != 0; }
  public String host() { return host; }
  public int port() { return port; }
}
