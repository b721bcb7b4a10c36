package io.p2pnode.transport;

/** Why a datagram or message was dropped. Every drop is counted under one of these. */
public enum Drop {
  /** Neither STUN nor a node frame (first-byte demultiplexing). */
  GARBAGE,
  /** Larger than {@code listen.maxDatagramBytes}. */
  OVERSIZE,
  /** Looked like STUN but did not decode (length, attributes, FINGERPRINT). */
  STUN_MALFORMED,
  /** A valid STUN message that is not a Binding request. */
  STUN_UNEXPECTED,
  /** STUN request while this node is not a coordinator. */
  STUN_DISABLED,
  /** Node frame of a protocol version this build does not speak. */
  BAD_VERSION,
  /** Node frame with a bad header or payload. */
  MALFORMED,
  /** Session frame for a session id this node does not know. */
  UNKNOWN_SESSION,
  /** Control frame this node has no use for (e.g. coordinator request while not a coordinator). */
  UNEXPECTED_CONTROL,
  /** INTRODUCE or CONNECT_FAIL from an address that is not one of our coordinators. */
  UNTRUSTED_CONTROL,
  /** A new session beyond {@code session.maxSessions}. */
  SESSION_LIMIT,
  /** Control frames or STUN requests from one source IP beyond {@code listen.controlRatePerIp}. */
  RATE_LIMITED,
  /** Control frames arriving faster than the control plane handles them. */
  OVERLOAD,
  /** HELLO without a matching introduction token, or from ourselves. */
  HELLO_REJECTED,
  /** A datagram on a birthday-probing socket that is not an authenticated probe from the introduced peer's address. */
  PROBE_REJECTED,
  /** A message fragment beyond the receive window the peer was given. */
  WINDOW_EXCEEDED,
  /** A fragment that the reassembly budget (per peer or per node) has no room for; the sender sends it again. */
  REASSEMBLY_FULL,
  /** A reply (RESULT, PONG, REGISTER_ACK...) that matches nothing outstanding. */
  STALE_REPLY,
  /**
   * A registration whose key is not the one its peer id stands for: a self-certifying id that is
   * not derived from the key, or a name bound to another key while that peer is registered.
   */
  KEY_MISMATCH,
  /**
   * Does not authenticate: a registration whose proof of key possession fails (wrong key or
   * network key), or a session frame that fails AEAD verification (forged, corrupted, stale keys).
   */
  AUTH_FAILED,
  /** An authenticated session frame whose packet number was seen already or fell out of the replay window. */
  REPLAYED,
  /** A registration of a key not on {@code coordinator.allowedKeys}. */
  NOT_ADMITTED,
  /** A registration under the coordinator's own peer id. */
  PEER_ID_CONFLICT,
  /** A relay request over the per-peer rate or byte limit, or for/from an unregistered peer. */
  RELAY_REFUSED,
  /** The registry is full. */
  REGISTRY_FULL,
  /** A socket write failed. */
  SEND_ERROR,
  /** A handler threw; the datagram was dropped and the event loop carried on. */
  HANDLER_ERROR,
  /** A frame for a TCP connection that has closed (the session moves on to another path). */
  TCP_CLOSED,
  /** An accepted TCP connection on which nothing authenticated in time: closed. */
  TCP_UNCLAIMED,
  /** A frame for a TCP connection whose peer stopped reading (its send buffer is over the high-water mark). */
  TCP_BACKLOG,
  /**
   * A {@code p2p.send} without a reply address failed: on the sending node (429 send queue full, 503
   * unreachable, ...; or its session closed before the peer acknowledged it) or on the receiving node
   * (404 no consumer there). The application asked for no answer, and none crosses the network, so
   * this count is all that tells.
   */
  UNCONFIRMED_SEND_FAILED,
  /** Data of a new stream beyond {@code session.maxStreams} open ones: dropped (a byte stream is refused with 429). */
  STREAM_LIMIT,
  /** Data of a byte stream this node does not know (refused before, or its start was dropped), or a CREDIT/STOP for one. */
  STREAM_UNKNOWN,
  /** Bytes of a byte stream beyond the credit this node gave (the peer ignores flow control): the stream is refused (STOP 400). */
  CREDIT_EXCEEDED
}
