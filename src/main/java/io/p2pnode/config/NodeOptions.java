package io.p2pnode.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The whole node configuration, read from JSON (see {@code conf/node.json} for every key and its
 * default). Parsing is strict: wrong types, out-of-range numbers, unknown keys and unresolvable
 * hosts raise a {@link ConfigException} naming the key.
 */
public final class NodeOptions {
  /** Peer ids are printable, short and safe in logs and event-bus headers. */
  public static final Pattern PEER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * Whether {@code s} is a peer id ({@link #PEER_ID}), without a regex: the API checks every
   * message's {@code to} header.
   */
  public static boolean isPeerId(String s) {
    int n = s.length();
    if (n < 1 || n > 64) return false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Event loops of a Vert.x the node creates itself: 0 = one per available processor. Vert.x's own
   * default is two per processor, a hedge for application code that blocks; a node's loops run only
   * the node's code (applications reach it over the bridge), and on a machine or container with one
   * processor a second loop only adds a thread switch between a message's session and its
   * consumer: about 15 µs of a 50 µs loopback request/reply here (docs/benchmark-history.md).
   */
  public static final int DEFAULT_EVENT_LOOPS = 0;

  /**
   * How long (µs) an event loop of a Vert.x the node creates keeps polling after its last work
   * before it blocks (0 = never polls: Netty's default). 50 µs, the value Linux suggests for its
   * own {@code busy_poll}, covers a loopback or LAN request/reply between two such nodes (about
   * 21 µs here) at little CPU (one {@code p2p.send} a millisecond between nodes in one JVM: their
   * loops used 19.7 % of a core against 13.8 % without polling); on this VM it cuts a loopback
   * request/reply from about 119 to 21 µs (docs/benchmark-history.md). 20 µs, shorter than that
   * round trip, never caught the reply.
   */
  public static final int DEFAULT_BUSY_POLL_MICROS = 50;

  static final Set<String> KEYS = Set.of("peerId", "eventLoops", "busyPollMicros", "listen", "coordinator", "rendezvous", "bridge",
    "cluster", "heartbeat", "session", "identity", "http", "punch");

  private String peerId;
  private int eventLoops = DEFAULT_EVENT_LOOPS;
  private int busyPollMicros = DEFAULT_BUSY_POLL_MICROS;
  private ListenOptions listen = new ListenOptions();
  private CoordinatorOptions coordinator = new CoordinatorOptions();
  private List<String> rendezvous = List.of();
  private List<InetSocketAddress> rendezvousAddresses = List.of();
  private BridgeOptions bridge = new BridgeOptions();
  private ClusterOptions cluster = new ClusterOptions();
  private HeartbeatOptions heartbeat = new HeartbeatOptions();
  private SessionOptions session = new SessionOptions();
  private IdentityOptions identity = new IdentityOptions();
  private HttpOptions http = new HttpOptions();
  private PunchOptions punch = new PunchOptions();

  /** The embedded default: a standalone coordinator node on UDP 7700 whose peer id comes from a fresh key pair. */
  public static NodeOptions defaults() {
    return fromJson(new JsonObject());
  }

  /** Reads and validates a JSON config file. */
  public static NodeOptions load(Path file) {
    return fromJson(readJson(file));
  }

  /**
   * The node's configuration as the command line starts it: the file (or the embedded default
   * when {@code file} is null) with the {@code P2P_*} variables of {@code env} on top (see
   * {@link EnvOverrides}).
   */
  public static NodeOptions load(Path file, java.util.Map<String, String> env) {
    return EnvOverrides.apply(file == null ? new JsonObject() : readJson(file), env);
  }

  private static JsonObject readJson(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      throw new ConfigException("--conf", "cannot read \"" + file + "\": " + e.getMessage());
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException("--conf", "\"" + file + "\" is not a JSON object: " + e.getMessage());
    }
    return json;
  }

  /** Parses and validates a config object; absent keys take their documented defaults. */
  public static NodeOptions fromJson(JsonObject json) {
    JsonFields f = new JsonFields(json, "");
    f.rejectUnknown(KEYS);
    NodeOptions o = new NodeOptions();
    o.peerId = f.string("peerId", null);
    if (o.peerId != null && !isPeerId(o.peerId)) {
      throw new ConfigException("peerId", "must be 1-64 characters of A-Z a-z 0-9 . _ -, got \"" + o.peerId + "\"");
    }
    o.eventLoops = (int) f.integer("eventLoops", DEFAULT_EVENT_LOOPS, 0, 1024);
    o.busyPollMicros = (int) f.integer("busyPollMicros", DEFAULT_BUSY_POLL_MICROS, 0, io.p2pnode.transport.BusyPollTransport.MAX_MICROS);
    o.listen = ListenOptions.fromJson(json);
    o.coordinator = CoordinatorOptions.fromJson(json);
    o.rendezvous = f.strings("rendezvous", List.of());
    List<InetSocketAddress> addrs = new ArrayList<>();
    for (String r : o.rendezvous) addrs.add(Endpoints.parse("rendezvous", r));
    o.rendezvousAddresses = List.copyOf(addrs);
    o.bridge = BridgeOptions.fromJson(json);
    o.cluster = ClusterOptions.fromJson(json);
    o.heartbeat = HeartbeatOptions.fromJson(json);
    o.session = SessionOptions.fromJson(json);
    o.identity = IdentityOptions.fromJson(json);
    o.http = HttpOptions.fromJson(json);
    o.punch = PunchOptions.fromJson(json);
    return o;
  }

  /**
   * These options with {@code peerId} set: the node's self-certifying id from its identity key
   * when the configuration names none.
   */
  public NodeOptions withPeerId(String id) {
    return fromJson(toJson().put("peerId", id));
  }

  /** The effective configuration, defaults filled in; {@code fromJson(toJson())} is equivalent. */
  public JsonObject toJson() {
    return new JsonObject().put("peerId", peerId).put("eventLoops", eventLoops).put("busyPollMicros", busyPollMicros)
      .put("listen", listen.toJson())
      .put("coordinator", coordinator.toJson()).put("rendezvous", new JsonArray(rendezvous))
      .put("bridge", bridge.toJson()).put("cluster", cluster.toJson()).put("heartbeat", heartbeat.toJson())
      .put("session", session.toJson()).put("identity", identity.toJson())
      .put("http", http.toJson()).put("punch", punch.toJson());
  }

  /** This node's id as configured; {@code null} until the node derives it from its identity key. */
  public String peerId() { return peerId; }
  public IdentityOptions identity() { return identity; }
  /** {@code eventLoops} as configured (0: one per available processor); see {@link #eventLoopCount()}. */
  public int eventLoops() { return eventLoops; }
  /** {@code busyPollMicros}: how long an event loop of a Vert.x the node creates polls after its last work (0: never). */
  public int busyPollMicros() { return busyPollMicros; }
  /** The event loops a Vert.x created for this node gets: {@code eventLoops}, or one per available processor for 0. */
  public int eventLoopCount() { return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors(); }
  public ListenOptions listen() { return listen; }
  public CoordinatorOptions coordinator() { return coordinator; }
  /** Coordinators to register with, as configured ({@code host:port}). */
  public List<String> rendezvous() { return rendezvous; }
  /** Coordinators to register with, resolved. */
  public List<InetSocketAddress> rendezvousAddresses() { return rendezvousAddresses; }
  public BridgeOptions bridge() { return bridge; }
  public ClusterOptions cluster() { return cluster; }
  public HeartbeatOptions heartbeat() { return heartbeat; }
  public SessionOptions session() { return session; }
  public HttpOptions http() { return http; }
  public PunchOptions punch() { return punch; }
}
