package io.p2pnode.bus;

/**
 * Every event-bus address the node uses, public API and internal. No other class spells an
 * address literally.
 */
public final class Addresses {
  /** Request: send a message to a peer (header {@code to}); replies once delivered there. */
  public static final String SEND = "p2p.send";
  /** Request: send a request to a peer; replies with the remote consumer's reply. */
  public static final String REQUEST = "p2p.request";
  /** Request: {@code {"peerId"}}; replies once a path is up. */
  public static final String CONNECT = "p2p.connect";
  /** Request: list sessions. */
  public static final String PEERS = "p2p.peers";
  /** Request: node status. */
  public static final String STATUS = "p2p.status";
  /** Published when a session comes up. */
  public static final String PEER_UP = "p2p.peer.up";
  /** Published when a session goes down. */
  public static final String PEER_DOWN = "p2p.peer.down";
  /** Published when a session's path changes. */
  public static final String PATH_CHANGED = "p2p.path.changed";
  /** Default remote address for {@code p2p.send} / {@code p2p.request} when no {@code address} header is given. */
  public static final String INBOUND = "p2p.inbound";

  /** The request-reply API addresses (bridge inbound). */
  public static final String[] API = {SEND, REQUEST, CONNECT, PEERS, STATUS};
  /** The published events (bridge outbound). */
  public static final String[] EVENTS = {PEER_UP, PEER_DOWN, PATH_CHANGED};

  /** Header names. */
  public static final String HEADER_TO = "to";
  public static final String HEADER_ADDRESS = "address";
  public static final String HEADER_FROM = "from";
  /** Optional header on {@code p2p.send}: {@code false} sends once, unordered, unconfirmed (games, voice). */
  public static final String HEADER_RELIABLE = "reliable";
  /** Optional header on {@code p2p.send}/{@code p2p.request}: end-to-end timeout in ms. */
  public static final String HEADER_TIMEOUT_MS = "timeoutMs";
  /**
   * Optional urgency of a {@code p2p.send}/{@code p2p.request}: an integer {@link #MIN_PRIORITY}
   * (most urgent) to {@link #MAX_PRIORITY}, default {@link #DEFAULT_PRIORITY}. The messages of an
   * address take the urgency of the message that starts a burst to it; more urgent addresses go
   * first, less urgent ones still get a share of the path.
   */
  public static final String HEADER_PRIORITY = "priority";
  public static final int MIN_PRIORITY = 0;
  public static final int MAX_PRIORITY = 7;
  public static final int DEFAULT_PRIORITY = 3;

  /**
   * Event-bus codec name that hands a {@code Buffer} body over instead of copying it:
   * {@code new DeliveryOptions().setCodecName(Addresses.CODEC_HAND_OVER)} on a {@code p2p.send} or
   * {@code p2p.request} whose body is a {@code Buffer}. Vert.x's own codec copies every
   * {@code Buffer} it delivers in the same JVM (so that a sender may keep writing into it); with this
   * one the node sends the sender's bytes, and the sender must not change them afterwards (as
   * with Netty's writes). Registered when the node starts. Inbound {@code Buffer}s reach local
   * consumers the same way: they are the consumer's own, never copied.
   */
  public static final String CODEC_HAND_OVER = "p2p.hand-over";

  /** Internal, local only: node-side control frames (HELLO, INTRODUCE, REGISTER_ACK, CONNECT_FAIL). */
  public static final String INTERNAL_CONTROL = "p2p.internal.control";
  /** Internal, local only: coordinator-side control frames and the node's own registration. */
  public static final String INTERNAL_COORDINATOR = "p2p.internal.coordinator";
  /** Internal, local only: the heartbeat tick, published once per heartbeat period. */
  public static final String INTERNAL_TICK = "p2p.internal.tick";
  /** Clustered, between coordinators: prefix of each coordinator's mesh address (see {@link #mesh}). */
  public static final String INTERNAL_MESH_PREFIX = "p2p.internal.mesh.";
  /** Header on mesh messages: the peer the frame is for. */
  public static final String HEADER_MESH_PEER = "peer";

  /** The clustered address where coordinator {@code coordinatorId} takes frames for its registered peers. */
  public static String mesh(String coordinatorId) {
    return INTERNAL_MESH_PREFIX + coordinatorId;
  }

  /**
   * Delivery options for everything the node publishes or delivers: its events and inbound
   * messages belong to this node's consumers, never to another member of a cluster.
   */
  public static final io.vertx.core.eventbus.DeliveryOptions LOCAL_ONLY =
    new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  /**
   * Whether peers may not send to {@code address}: the node's own {@code p2p.*} addresses (API,
   * events, internals) are reserved; only {@link #INBOUND} of them is open to peers.
   */
  public static boolean isReserved(String address) {
    return address.startsWith("p2p.") && !address.equals(INBOUND);
  }

  /** Longest request timeout a peer may ask for, ms (header {@link #HEADER_TIMEOUT_MS}). */
  public static final long MAX_TIMEOUT_MS = 3_600_000;

  private Addresses() {
  }
}
