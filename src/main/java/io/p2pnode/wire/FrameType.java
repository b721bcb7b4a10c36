package io.p2pnode.wire;

/**
 * Frame types of the node protocol. Session-plane types carry the receiver's session id; control
 * types (registration, introduction, first contact) travel with session id 0.
 */
public enum FrameType {
  /** First contact / punch packet: token, sender peer id, sender session id. */
  HELLO(0x01),
  /** Answer to a HELLO: the path works in both directions. */
  HELLO_ACK(0x02),
  /** An application message (send or request). */
  DATA(0x03),
  /** The outcome of a DATA: delivered, reply body, or failure code. */
  RESULT(0x04),
  /** Keepalive and RTT probe. */
  PING(0x05),
  /** Answer to a PING, echoing its timestamp. */
  PONG(0x06),
  /** The sender closes the session. */
  BYE(0x07),
  /** Sub-frame of a BUNDLE: which packets arrived, and the receive window. */
  ACK(0x08),
  /** Several session sub-frames (message fragments, results, acks) in one datagram. */
  BUNDLE(0x09),
  /** Sub-frame of a BUNDLE: flow-control credit of a byte stream, or of all of them. */
  CREDIT(0x0A),
  /** Sub-frame of a BUNDLE: the receiver refuses a byte stream. */
  STOP(0x0B),
  /** Sub-frame of a BUNDLE: either end abandons a byte stream (its writer, or its reader). */
  RESET(0x0C),
  /** Path MTU probe (RFC 8899 style): padded to the datagram size it tests. */
  PMTU_PROBE(0x0E),
  /** Answer to a PMTU_PROBE: the size arrived, and the largest datagram the receiver reads. */
  PMTU_ACK(0x0F),
  /** Peer to coordinator: register (or refresh) my id and private endpoints. */
  REGISTER(0x10),
  /** Coordinator to peer: registered; here is the public endpoint I observe. */
  REGISTER_ACK(0x11),
  /** Peer to coordinator: introduce me to a peer. */
  CONNECT(0x12),
  /** Coordinator to peer: the other side's endpoints and the introduction token. */
  INTRODUCE(0x13),
  /** Coordinator to peer: the introduction failed (unknown peer). */
  CONNECT_FAIL(0x14),
  /** Peer to coordinator: forget my registration (clean shutdown). */
  UNREGISTER(0x15),
  /** Peer to coordinator: send a PROBE_ECHO back to this mapping after a delay (NAT idle-timeout probing). */
  PROBE_ASK(0x16),
  /** Coordinator to peer: the delayed answer to PROBE_ASK. */
  PROBE_ECHO(0x17),
  /** Coordinator to peer: prove you hold your key (answer to a REGISTER without a valid proof). */
  REGISTER_CHALLENGE(0x18),
  /** Peer to coordinator: forward the enclosed frame to a peer. */
  RELAY(0x20),
  /** Coordinator to peer: a frame forwarded from a peer. */
  RELAYED(0x21);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType t : values()) BY_CODE[t.code] = t;
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The type's byte on the wire. */
  public int code() {
    return code;
  }

  /** The type for a wire byte, or {@code null} when it is not a known type. */
  public static FrameType of(int code) {
    return BY_CODE[code & 0xFF];
  }

  /** Whether frames of this type travel with session id 0 and go to the control plane. */
  public boolean isControl() {
    return this == HELLO || code >= 0x10;
  }
}
