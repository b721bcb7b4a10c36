package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code session}: per-peer messaging limits and connection timing. */
public final class SessionOptions {
  /** Time a send or request may take end to end before the sender gets 504. */
  public static final long DEFAULT_SEND_TIMEOUT_MS = 10_000;
  /** Messages awaiting their delivery confirmation per peer; beyond it {@code p2p.send} gets 429. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 8_192;
  /** Punch packets are re-sent at this pace until a candidate answers. */
  public static final long DEFAULT_PUNCH_INTERVAL_MS = 100;
  /** A connect that sees no answer within this bound fails with 503. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

  /**
   * Punch this long before also trying the relay: cone NATs connect within a few round trips.
   * No relay when it is not less than {@code connectTimeoutMs}.
   */
  public static final long DEFAULT_RELAY_AFTER_MS = 1_500;
  /**
   * Punch over UDP this long before also punching over TCP: UDP answers within a few round trips
   * where it works, and TCP still gets a try well before the relay. Both sides without a UDP
   * registration (UDP blocked) punch over TCP at once.
   */
  public static final long DEFAULT_TCP_AFTER_MS = 500;
  /** While on relay, try a direct path again this often. */
  public static final long DEFAULT_UPGRADE_INTERVAL_MS = 15_000;
  /** After a public candidate answered, wait this long for a LAN candidate, which wins. */
  public static final long DEFAULT_LAN_GRACE_MS = 100;

  /**
   * Sessions run a Noise IK handshake and seal every frame (AES-GCM): off only for benchmarks and
   * trusted links, and then on both sides alike.
   */
  public static final boolean DEFAULT_ENCRYPTION = true;
  /** Frames sealed under one key set before it is renewed: far below any AES-GCM limit, reached only by long heavy sessions. */
  public static final long DEFAULT_REKEY_AFTER_PACKETS = 1L << 30;
  /** Age of a key set after which it is renewed (WireGuard's REKEY_AFTER_TIME). */
  public static final long DEFAULT_REKEY_AFTER_MS = 120_000;

  /** Bound on sessions (each is a verticle and some state): introductions beyond it are refused. */
  public static final int DEFAULT_MAX_SESSIONS = 65_536;

  /** Largest message: split into datagrams and reassembled; beyond it, 413. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
  /** Bytes of messages queued or unacknowledged per peer; beyond it, 429. */
  public static final long DEFAULT_SEND_BUFFER_BYTES = 64L * 1024 * 1024;
  /** Messages a receiver accepts ahead of the one it hands over next (flow control). */
  public static final int DEFAULT_WINDOW_MESSAGES = 4_096;
  /** Reassembly memory per peer: two maximum-size messages. */
  public static final long DEFAULT_REASSEMBLY_BYTES_PER_PEER = 32L * 1024 * 1024;
  /** Reassembly memory of the whole node. */
  public static final long DEFAULT_REASSEMBLY_BYTES_PER_NODE = 256L * 1024 * 1024;

  /**
   * Streams open at once per peer and direction (addresses with messages under way, byte streams not ended):
   * beyond it the sender gets 429 and a receiver drops (and counts) the data of a new stream. Each open byte
   * stream may hold up to {@code streamWindowBytes} at the receiver, so this with the connection window bounds
   * a peer's memory; 1 024 is far more than applications use at once (QUIC stacks default to 100).
   */
  public static final int DEFAULT_MAX_STREAMS = 1_024;
  /**
   * Bytes of one byte stream a receiver accepts ahead of what its reader consumed (QUIC's
   * MAX_STREAM_DATA): at least the bandwidth-delay product, or one stream cannot fill the path;
   * 4 MiB covers 1 Gbit/s at 32 ms.
   */
  public static final long DEFAULT_STREAM_WINDOW_BYTES = 4L * 1024 * 1024;
  /**
   * Bytes of all byte streams of a peer together a receiver accepts ahead of its readers (QUIC's
   * MAX_DATA): several full stream windows, so a paused reader holds back only its own stream.
   */
  public static final long DEFAULT_CONNECTION_WINDOW_BYTES = 32L * 1024 * 1024;
  /** The smallest stream window: the credit a sender assumes before the receiver's first CREDIT. */
  public static final long MIN_STREAM_WINDOW_BYTES = 256 * 1024;
  /** The smallest connection window: the credit a sender assumes before the receiver's first CREDIT. */
  public static final long MIN_CONNECTION_WINDOW_BYTES = 1024 * 1024;

  /**
   * Congestion controller of reliable traffic: {@code bbr} (a model of bandwidth and RTT; random loss below 2%
   * does not slow it) or {@code newreno} (halves its window on every loss episode; kept for comparison).
   */
  public static final String DEFAULT_CONGESTION = "bbr";
  /** The values {@code session.congestion} accepts. */
  public static final java.util.List<String> CONGESTION_CONTROLLERS = java.util.List.of("bbr", "newreno");

  static final Set<String> KEYS = Set.of("sendTimeoutMs", "maxInFlight", "punchIntervalMs", "connectTimeoutMs",
    "relayAfterMs", "tcpAfterMs", "upgradeIntervalMs", "lanGraceMs", "maxSessions", "maxMessageBytes", "sendBufferBytes",
    "windowMessages", "reassemblyBytesPerPeer", "reassemblyBytesPerNode", "encryption",
    "rekeyAfterPackets", "rekeyAfterMs", "congestion", "maxStreams", "streamWindowBytes", "connectionWindowBytes");

  private long sendTimeoutMs = DEFAULT_SEND_TIMEOUT_MS;
  private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  private long punchIntervalMs = DEFAULT_PUNCH_INTERVAL_MS;
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private long relayAfterMs = DEFAULT_RELAY_AFTER_MS;
  private long tcpAfterMs = DEFAULT_TCP_AFTER_MS;
  private long upgradeIntervalMs = DEFAULT_UPGRADE_INTERVAL_MS;
  private long lanGraceMs = DEFAULT_LAN_GRACE_MS;
  private boolean encryption = DEFAULT_ENCRYPTION;
  private long rekeyAfterPackets = DEFAULT_REKEY_AFTER_PACKETS;
  private long rekeyAfterMs = DEFAULT_REKEY_AFTER_MS;
  private int maxSessions = DEFAULT_MAX_SESSIONS;
  private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private long sendBufferBytes = DEFAULT_SEND_BUFFER_BYTES;
  private int windowMessages = DEFAULT_WINDOW_MESSAGES;
  private long reassemblyBytesPerPeer = DEFAULT_REASSEMBLY_BYTES_PER_PEER;
  private long reassemblyBytesPerNode = DEFAULT_REASSEMBLY_BYTES_PER_NODE;
  private String congestion = DEFAULT_CONGESTION;
  private int maxStreams = DEFAULT_MAX_STREAMS;
  private long streamWindowBytes = DEFAULT_STREAM_WINDOW_BYTES;
  private long connectionWindowBytes = DEFAULT_CONNECTION_WINDOW_BYTES;

  static SessionOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "session");
    f.rejectUnknown(KEYS);
    SessionOptions o = new SessionOptions();
    o.sendTimeoutMs = f.integer("sendTimeoutMs", DEFAULT_SEND_TIMEOUT_MS, 10, 3_600_000);
    o.maxInFlight = (int) f.integer("maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000);
    o.punchIntervalMs = f.integer("punchIntervalMs", DEFAULT_PUNCH_INTERVAL_MS, 5, 60_000);
    o.connectTimeoutMs = f.integer("connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS, 10, 600_000);
    o.relayAfterMs = f.integer("relayAfterMs", DEFAULT_RELAY_AFTER_MS, 0, 600_000);
    o.tcpAfterMs = f.integer("tcpAfterMs", DEFAULT_TCP_AFTER_MS, 0, 600_000);
    o.upgradeIntervalMs = f.integer("upgradeIntervalMs", DEFAULT_UPGRADE_INTERVAL_MS, 100, 86_400_000L);
    o.lanGraceMs = f.integer("lanGraceMs", DEFAULT_LAN_GRACE_MS, 0, 10_000);
    o.encryption = f.bool("encryption", DEFAULT_ENCRYPTION);
    o.rekeyAfterPackets = f.integer("rekeyAfterPackets", DEFAULT_REKEY_AFTER_PACKETS, 16, 1L << 60);
    o.rekeyAfterMs = f.integer("rekeyAfterMs", DEFAULT_REKEY_AFTER_MS, 1_000, 86_400_000L);
    o.maxSessions = (int) f.integer("maxSessions", DEFAULT_MAX_SESSIONS, 1, 10_000_000);
    o.maxMessageBytes = (int) f.integer("maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES, 1, 1 << 30);
    o.sendBufferBytes = f.integer("sendBufferBytes", DEFAULT_SEND_BUFFER_BYTES, 1024, 1L << 40);
    o.windowMessages = (int) f.integer("windowMessages", DEFAULT_WINDOW_MESSAGES, 1, 1 << 24);
    o.reassemblyBytesPerPeer = f.integer("reassemblyBytesPerPeer", DEFAULT_REASSEMBLY_BYTES_PER_PEER, 65536, 1L << 40);
    o.reassemblyBytesPerNode = f.integer("reassemblyBytesPerNode", DEFAULT_REASSEMBLY_BYTES_PER_NODE, 65536, 1L << 42);
    o.congestion = f.string("congestion", DEFAULT_CONGESTION);
    o.maxStreams = (int) f.integer("maxStreams", DEFAULT_MAX_STREAMS, 1, 1_000_000);
    o.streamWindowBytes = f.integer("streamWindowBytes", DEFAULT_STREAM_WINDOW_BYTES, MIN_STREAM_WINDOW_BYTES, 1L << 32);
    o.connectionWindowBytes = f.integer("connectionWindowBytes", DEFAULT_CONNECTION_WINDOW_BYTES, MIN_CONNECTION_WINDOW_BYTES, 1L << 36);
    if (!CONGESTION_CONTROLLERS.contains(o.congestion)) {
      throw new ConfigException("session.congestion", "must be one of " + CONGESTION_CONTROLLERS + ", got " + o.congestion);
    }
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("sendTimeoutMs", sendTimeoutMs).put("maxInFlight", maxInFlight)
      .put("punchIntervalMs", punchIntervalMs).put("connectTimeoutMs", connectTimeoutMs).put("relayAfterMs", relayAfterMs).put("tcpAfterMs", tcpAfterMs)
      .put("upgradeIntervalMs", upgradeIntervalMs).put("lanGraceMs", lanGraceMs).put("maxSessions", maxSessions)
      .put("maxMessageBytes", maxMessageBytes).put("sendBufferBytes", sendBufferBytes).put("windowMessages", windowMessages)
      .put("reassemblyBytesPerPeer", reassemblyBytesPerPeer).put("reassemblyBytesPerNode", reassemblyBytesPerNode)
      .put("encryption", encryption).put("rekeyAfterPackets", rekeyAfterPackets).put("rekeyAfterMs", rekeyAfterMs)
      .put("congestion", congestion).put("maxStreams", maxStreams).put("streamWindowBytes", streamWindowBytes)
      .put("connectionWindowBytes", connectionWindowBytes);
  }

  public long sendTimeoutMs() { return sendTimeoutMs; }
  public int maxInFlight() { return maxInFlight; }
  public long punchIntervalMs() { return punchIntervalMs; }
  public long connectTimeoutMs() { return connectTimeoutMs; }
  public long relayAfterMs() { return relayAfterMs; }
  /** How long UDP punching goes on alone before TCP punching joins it. */
  public long tcpAfterMs() { return tcpAfterMs; }
  public long upgradeIntervalMs() { return upgradeIntervalMs; }
  public long lanGraceMs() { return lanGraceMs; }
  /** Whether sessions are authenticated and encrypted (Noise IK, AES-GCM). */
  public boolean encryption() { return encryption; }
  /** Frames sealed under one key set before the session renews its keys. */
  public long rekeyAfterPackets() { return rekeyAfterPackets; }
  /** Age of a key set after which the session renews its keys. */
  public long rekeyAfterMs() { return rekeyAfterMs; }
  public int maxSessions() { return maxSessions; }
  /** The congestion controller of reliable traffic, one of {@link #CONGESTION_CONTROLLERS}. */
  public String congestion() { return congestion; }
  public SessionOptions setCongestion(String v) { this.congestion = v; return this; }
  public int maxMessageBytes() { return maxMessageBytes; }
  /** Streams open at once per peer and direction ({@code session.maxStreams}). */
  public int maxStreams() { return maxStreams; }
  /** Credit of one byte stream ({@code session.streamWindowBytes}). */
  public long streamWindowBytes() { return streamWindowBytes; }
  /** Credit of all byte streams of a peer ({@code session.connectionWindowBytes}). */
  public long connectionWindowBytes() { return connectionWindowBytes; }
  public SessionOptions setMaxStreams(int v) { this.maxStreams = v; return this; }
  public long sendBufferBytes() { return sendBufferBytes; }
  public int windowMessages() { return windowMessages; }
  public long reassemblyBytesPerPeer() { return reassemblyBytesPerPeer; }
  public long reassemblyBytesPerNode() { return reassemblyBytesPerNode; }
  public SessionOptions setSendTimeoutMs(long v) { this.sendTimeoutMs = v; return this; }
  public SessionOptions setMaxInFlight(int v) { this.maxInFlight = v; return this; }
  public SessionOptions setConnectTimeoutMs(long v) { this.connectTimeoutMs = v; return this; }
}
