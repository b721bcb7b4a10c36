package io.p2pnode.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.List;

import static io.p2pnode.wire.WireBuf.*;

/**
 * Control-plane payloads: registration, introduction and first contact. Low rate, so they decode
 * into records. Layouts (after the {@link FrameCodec} header; {@code str} is a short string,
 * {@code ep}/{@code eps} an endpoint / endpoint list, see {@link WireBuf}):
 *
 * <pre>
 * REGISTER      txn (32) | nat (8, {@link NatProfile}) | peerId str | key (256) | private eps | tcp port (16, 0 = none) | cookie (128) | mac (128)
 * REGISTER_CHALLENGE txn (32) | coordinator key (256) | cookie (128)
 * REGISTER_ACK  txn (32) | observed ep | ttlMs (32) | probe port (16, 0 = none)
 * CONNECT       txn (32) | from peerId str | target peerId str
 * INTRODUCE     txn (32) | token (64) | nat (8) | peerId str | key (256) | public ep | private eps | public tcp ep | tcp port (16)
 * CONNECT_FAIL  txn (32) | code (16) | reason str
 * UNREGISTER    peerId str
 * PROBE_ASK     txn (32) | delayMs (32)
 * PROBE_ECHO    txn (32)
 * HELLO/_ACK    token (64) | peerId str | sender session id (32) | timestamp (64) | noise length (16) | noise
 * RELAY         from peerId str | to peerId str | enclosed frame (to the end of the datagram)
 * RELAYED       from peerId str | enclosed frame (to the end of the datagram)
 * </pre>
 * {@code key} is the peer's X25519 public key ({@link PeerKey}): what it registers with, and what
 * an introduction tells the other side to expect. A {@code tcp port} is the port the peer's TCP
 * listener shares with its outgoing connections (its private TCP endpoints are its private
 * addresses with that port); a public (tcp) endpoint {@link #NO_ENDPOINT} means "none known".
 */
public sealed interface ControlMessage {
  /** "No such endpoint": a peer that registered over one transport only. */
  InetSocketAddress NO_ENDPOINT = new InetSocketAddress("0.0.0.0", 0);

  /** Whether {@code ep} names an endpoint (not {@link #NO_ENDPOINT} nor another port 0 marker). */
  static boolean known(InetSocketAddress ep) {
    return ep != null && ep.getPort() != 0;
  }

  /** The frame type that carries this payload. */
  FrameType type();

  /** Appends the payload (no header). */
  void writePayload(ByteBuf out);

  /**
   * Registration (or refresh) of a peer at a coordinator, with the NAT behaviour it detected. A
   * remote registration counts only with the coordinator's current {@code cookie} and a
   * {@code mac} proving the sender holds {@code key} (see {@code punch.RegistrationGuard});
   * without them the coordinator answers {@link RegisterChallenge}.
   */
  record Register(int txn, NatProfile nat, String peerId, PeerKey key, List<InetSocketAddress> privateEndpoints, int tcpPort,
                  Bits128 cookie, Bits128 mac) implements ControlMessage {
    /** A registration that reports the mapping type only. */
    public Register(int txn, NatType natType, String peerId, PeerKey key, List<InetSocketAddress> privateEndpoints, int tcpPort,
                    Bits128 cookie, Bits128 mac) {
      this(txn, NatProfile.of(natType), peerId, key, privateEndpoints, tcpPort, cookie, mac);
    }

    /** The NAT mapping type the peer detected. */
    public NatType natType() { return nat.mapping(); }

    /** A registration without proof (the first one, or to the own coordinator or a probe port). */
    public Register(int txn, NatType natType, String peerId, PeerKey key, List<InetSocketAddress> privateEndpoints, int tcpPort) {
      this(txn, natType, peerId, key, privateEndpoints, tcpPort, Bits128.ZERO, Bits128.ZERO);
    }

    /** A registration of a peer without TCP, without proof. */
    public Register(int txn, NatType natType, String peerId, PeerKey key, List<InetSocketAddress> privateEndpoints) {
      this(txn, natType, peerId, key, privateEndpoints, 0);
    }

    /** A registration of a peer without TCP. */
    public Register(int txn, NatType natType, String peerId, PeerKey key, List<InetSocketAddress> privateEndpoints,
                    Bits128 cookie, Bits128 mac) {
      this(txn, natType, peerId, key, privateEndpoints, 0, cookie, mac);
    }

    public FrameType type() { return FrameType.REGISTER; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      out.writeByte(nat.code());
      writeShortString(out, peerId);
      writeKey(out, key);
      writeEndpoints(out, privateEndpoints);
      out.writeShort(tcpPort);
      writeBits(out, cookie);
      writeBits(out, mac);
    }

    /** This registration with {@code cookie} and {@code mac}. */
    public Register proven(Bits128 cookie, Bits128 mac) {
      return new Register(txn, nat, peerId, key, privateEndpoints, tcpPort, cookie, mac);
    }
  }

  /**
   * The coordinator wants proof of key possession: its static key (for the key agreement behind
   * the MAC) and a stateless cookie bound to the sender's address and the registration.
   */
  record RegisterChallenge(int txn, PeerKey coordinatorKey, Bits128 cookie) implements ControlMessage {
    public FrameType type() { return FrameType.REGISTER_CHALLENGE; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      writeKey(out, coordinatorKey);
      writeBits(out, cookie);
    }
  }

  /**
   * The coordinator accepted a registration and reports the source address it observed, and the
   * port of its probe socket: the same REGISTER sent there shows whether our NAT maps per destination.
   */
  record RegisterAck(int txn, InetSocketAddress observed, long ttlMs, int probePort) implements ControlMessage {
    public FrameType type() { return FrameType.REGISTER_ACK; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      writeEndpoint(out, observed);
      out.writeInt((int) ttlMs);
      out.writeShort(probePort);
    }
  }

  /** Peer {@code from} asks its coordinator for an introduction to {@code target}. */
  record Connect(int txn, String from, String target) implements ControlMessage {
    public FrameType type() { return FrameType.CONNECT; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      writeShortString(out, from);
      writeShortString(out, target);
    }
  }

  /**
   * The coordinator tells a peer how to reach {@code peerId}; {@code token} authorises the punch.
   * {@code publicTcp} is the peer's public TCP endpoint as the coordinator sees its TCP
   * registration connection, {@code tcpPort} the port of its private TCP endpoints (0: no TCP).
   */
  record Introduce(int txn, long token, NatProfile nat, String peerId, PeerKey key, InetSocketAddress publicEndpoint,
                   List<InetSocketAddress> privateEndpoints, InetSocketAddress publicTcp, int tcpPort) implements ControlMessage {
    /** An introduction that passes on the mapping type only. */
    public Introduce(int txn, long token, NatType natType, String peerId, PeerKey key, InetSocketAddress publicEndpoint,
                     List<InetSocketAddress> privateEndpoints, InetSocketAddress publicTcp, int tcpPort) {
      this(txn, token, NatProfile.of(natType), peerId, key, publicEndpoint, privateEndpoints, publicTcp, tcpPort);
    }

    /** The introduced peer's NAT mapping type. */
    public NatType natType() { return nat.mapping(); }

    /** An introduction of a peer without TCP. */
    public Introduce(int txn, long token, NatType natType, String peerId, PeerKey key, InetSocketAddress publicEndpoint,
                     List<InetSocketAddress> privateEndpoints) {
      this(txn, token, natType, peerId, key, publicEndpoint, privateEndpoints, NO_ENDPOINT, 0);
    }

    /** The same introduction with the endpoints a requester resolved. */
    public Introduce withPublic(InetSocketAddress udp, InetSocketAddress tcp) {
      return new Introduce(txn, token, nat, peerId, key, udp, privateEndpoints, tcp, tcpPort);
    }

    public FrameType type() { return FrameType.INTRODUCE; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      out.writeLong(token);
      out.writeByte(nat.code());
      writeShortString(out, peerId);
      writeKey(out, key);
      writeEndpoint(out, publicEndpoint);
      writeEndpoints(out, privateEndpoints);
      writeEndpoint(out, publicTcp);
      out.writeShort(tcpPort);
    }
  }

  /** An introduction failed; {@code code} is an API failure code (404 unknown peer). */
  record ConnectFail(int txn, int code, String reason) implements ControlMessage {
    public FrameType type() { return FrameType.CONNECT_FAIL; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      out.writeShort(code);
      writeShortString(out, truncateUtf8(reason, 255));
    }
  }

  /** A peer leaves its coordinator. */
  record Unregister(String peerId) implements ControlMessage {
    public FrameType type() { return FrameType.UNREGISTER; }
    public void writePayload(ByteBuf out) {
      writeShortString(out, peerId);
    }
  }

  /** Asks a coordinator to answer with {@link ProbeEcho} after {@code delayMs} of silence. */
  record ProbeAsk(int txn, long delayMs) implements ControlMessage {
    public FrameType type() { return FrameType.PROBE_ASK; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
      out.writeInt((int) delayMs);
    }
  }

  /** The delayed answer to a {@link ProbeAsk}: the NAT mapping survived the silence. */
  record ProbeEcho(int txn) implements ControlMessage {
    public FrameType type() { return FrameType.PROBE_ECHO; }
    public void writePayload(ByteBuf out) {
      out.writeInt(txn);
    }
  }

  /**
   * Punch / first contact ({@code ack=false}) and its answer ({@code ack=true}); {@code noise}
   * carries the session's Noise handshake (the initiator's first message in HELLO, the
   * responder's answer in HELLO_ACK), empty when there is none to carry.
   */
  record Hello(boolean ack, long token, String peerId, int senderSessionId, long timestamp, Opaque noise) implements ControlMessage {
    /** Without a handshake message. */
    public Hello(boolean ack, long token, String peerId, int senderSessionId, long timestamp) {
      this(ack, token, peerId, senderSessionId, timestamp, Opaque.EMPTY);
    }

    public FrameType type() { return ack ? FrameType.HELLO_ACK : FrameType.HELLO; }
    public void writePayload(ByteBuf out) {
      out.writeLong(token);
      writeShortString(out, peerId);
      out.writeInt(senderSessionId);
      out.writeLong(timestamp);
      byte[] n = noise.bytes();
      out.writeShort(n.length);
      out.writeBytes(n);
    }
  }

  /** Peer {@code from} asks its coordinator to forward {@code frame} to peer {@code to}. */
  record Relay(String from, String to, byte[] frame) implements ControlMessage {
    public FrameType type() { return FrameType.RELAY; }
    public void writePayload(ByteBuf out) {
      writeShortString(out, from);
      writeShortString(out, to);
      out.writeBytes(frame);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Relay r && r.from.equals(from) && r.to.equals(to) && java.util.Arrays.equals(r.frame, frame);
    }

    @Override
    public int hashCode() {
      return (from.hashCode() * 31 + to.hashCode()) * 31 + java.util.Arrays.hashCode(frame);
    }

    @Override
    public String toString() {
      return "Relay[" + from + "->" + to + ", " + frame.length + " bytes]";
    }
  }

  /** A coordinator delivers {@code frame}, forwarded from peer {@code from}. */
  record Relayed(String from, byte[] frame) implements ControlMessage {
    public FrameType type() { return FrameType.RELAYED; }
    public void writePayload(ByteBuf out) {
      writeShortString(out, from);
      out.writeBytes(frame);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Relayed r && r.from.equals(from) && java.util.Arrays.equals(r.frame, frame);
    }

    @Override
    public int hashCode() {
      return from.hashCode() * 31 + java.util.Arrays.hashCode(frame);
    }

    @Override
    public String toString() {
      return "Relayed[" + from + ", " + frame.length + " bytes]";
    }
  }

  /** The most a RELAY wrapper adds around a frame (two peer ids of at most 64 bytes). */
  int RELAY_OVERHEAD = FrameCodec.HEADER_BYTES + 2 * (1 + 64);

  /** A whole datagram: header (packet number 0) and payload. The caller owns the buffer. */
  static ByteBuf encode(ByteBufAllocator alloc, ControlMessage m, int receiverSessionId) {
    ByteBuf out = alloc.directBuffer(128);
    FrameCodec.writeHeader(out, m.type(), 0, receiverSessionId, 0);
    m.writePayload(out);
    return out;
  }

  /** A whole datagram as a byte array (for the cluster mesh, tests and tools off the hot path). */
  static byte[] toBytes(ControlMessage m) {
    ByteBuf b = encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, m, 0);
    try {
      return io.netty.buffer.ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  /**
   * Decodes the payload of a control frame; the reader index must be at the payload start.
   *
   * @throws WireException when truncated, malformed, followed by trailing bytes, or not a control type
   */
  static ControlMessage decode(FrameType type, ByteBuf in) {
    ControlMessage m = switch (type) {
      case REGISTER -> new Register(i32(in), NatProfile.of(u8(in)), peerId(in), readKey(in), readEndpoints(in), u16(in),
        readBits(in), readBits(in));
      case REGISTER_CHALLENGE -> new RegisterChallenge(i32(in), readKey(in), readBits(in));
      case REGISTER_ACK -> new RegisterAck(i32(in), readEndpoint(in), i32(in) & 0xFFFFFFFFL, u16(in));
      case CONNECT -> new Connect(i32(in), peerId(in), peerId(in));
      case INTRODUCE -> new Introduce(i32(in), i64(in), NatProfile.of(u8(in)), peerId(in), readKey(in), readEndpoint(in),
        readEndpoints(in), readEndpoint(in), u16(in));
      case CONNECT_FAIL -> new ConnectFail(i32(in), u16(in), readShortString(in));
      case UNREGISTER -> new Unregister(peerId(in));
      case PROBE_ASK -> new ProbeAsk(i32(in), i32(in) & 0xFFFFFFFFL);
      case PROBE_ECHO -> new ProbeEcho(i32(in));
      case HELLO, HELLO_ACK -> new Hello(type == FrameType.HELLO_ACK, i64(in), peerId(in), i32(in), i64(in), readOpaque(in));
      case RELAY -> new Relay(peerId(in), peerId(in), rest(in));
      case RELAYED -> new Relayed(peerId(in), rest(in));
      default -> throw new WireException(type + " is not a control frame");
    };
    end(in);
    return m;
  }

  private static byte[] rest(ByteBuf in) {
    if (in.readableBytes() < FrameCodec.HEADER_BYTES) throw new WireException("relayed frame too short");
    byte[] frame = new byte[in.readableBytes()];
    in.readBytes(frame);
    return frame;
  }

  private static Opaque readOpaque(ByteBuf in) {
    byte[] b = new byte[u16(in)];
    WireBuf.need(in, b.length);
    in.readBytes(b);
    return Opaque.of(b);
  }

  private static void writeBits(ByteBuf out, Bits128 b) {
    out.writeLong(b.hi());
    out.writeLong(b.lo());
  }

  private static Bits128 readBits(ByteBuf in) {
    return new Bits128(i64(in), i64(in));
  }

  private static void writeKey(ByteBuf out, PeerKey key) {
    out.writeBytes(key.bytes());
  }

  private static PeerKey readKey(ByteBuf in) {
    byte[] k = new byte[PeerKey.BYTES];
    WireBuf.need(in, k.length);
    in.readBytes(k);
    return PeerKey.of(k);
  }

  private static String peerId(ByteBuf in) {
    String s = readShortString(in);
    if (s.isEmpty() || s.length() > 64) throw new WireException("bad peer id length " + s.length());
    return s;
  }
}
