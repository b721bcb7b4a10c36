package io.p2pnode.wire;

/** What the first bytes of a datagram say it is; see {@link Demux#classify}. */
public enum PacketKind {
  /** RFC 8489 STUN message. */
  STUN,
  /** A frame of this node's protocol. */
  FRAME,
  /** Anything else: counted and dropped. */
  GARBAGE
}
