package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.crypto.CryptoException;
import io.p2pnode.crypto.FrameCipher;
import io.p2pnode.crypto.HandshakePattern;
import io.p2pnode.crypto.HandshakeResult;
import io.p2pnode.crypto.NoiseHandshake;
import io.p2pnode.crypto.ReplayWindow;
import io.p2pnode.crypto.X25519KeyPair;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.Opaque;
import io.p2pnode.wire.PeerKey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.logging.Logger;

/**
 * A session's keys: the Noise {@code IK} handshake carried in HELLO / HELLO_ACK, then AES-GCM on
 * every session frame (header as associated data, packet number as nonce) and a replay window.
 *
 * <p>Both sides know both static keys from the introduction; the side with the smaller key
 * initiates (its HELLOs carry message 1, the same for every punch of one introduction), the other
 * answers in HELLO_ACK with message 2 (the same for every copy of message 1). The prologue binds
 * the handshake to the introduction token. A session locks a path only once {@link #ready()}.
 *
 * <p>States: {@code IDLE} (no introduction) → {@code HANDSHAKING} → {@code READY}, or
 * {@code FAILED} when the peer does not prove the introduced key; a new introduction (new
 * token) starts over. {@link #to} is the one place that changes state. With encryption off
 * ({@code session.encryption=false}) the class is a pass-through. Single-threaded.
 */
final class SessionCrypto {
  private static final Logger LOG = Logger.getLogger("p2p.session");
  private static final byte[] PROLOGUE = "p2p-node session v1".getBytes(StandardCharsets.US_ASCII);

  enum State { IDLE, HANDSHAKING, READY, FAILED }

  private final boolean enabled;
  private final X25519KeyPair local;
  private final byte[] localPublic;
  private final Counters counters;
  private final String peerId;
  private State state = State.IDLE;
  private long token;
  private PeerKey remoteKey;
  private boolean initiator;
  private NoiseHandshake handshake;
  private byte[] message1;
  private byte[] message2;
  private FrameCipher sender;
  private FrameCipher receiver;
  private ReplayWindow replay;

  /** @param local this node's static key pair, {@code null} when encryption is off */
  SessionCrypto(X25519KeyPair local, String peerId, Counters counters) {
    this.enabled = local != null;
    this.local = local;
    this.localPublic = enabled ? local.publicKey() : null;
    this.peerId = peerId;
    this.counters = counters;
  }

  private void to(State next, String why) {
    State from = state;
    state = next;
    LOG.fine(() -> "session " + peerId + " keys " + from + " -> " + next + " (" + why + ")");
  }

  /** Whether frames may flow: keys agreed (always, with encryption off). */
  boolean ready() {
    return !enabled || state == State.READY;
  }

  /** Whether this side sends handshake message 1 and waits for the answer (encryption on). */
  boolean initiating() {
    return enabled && initiator && state == State.HANDSHAKING;
  }

  /** Bytes a sealed frame adds: the AEAD tag. */
  int overhead() {
    return enabled ? FrameCipher.TAG_BYTES : 0;
  }

  /** An introduction: the peer's key and its token. A new token starts a new handshake. */
  void introduced(PeerKey key, long introductionToken) {
    if (!enabled || (introductionToken == token && key.equals(remoteKey) && state != State.FAILED)) return;
    token = introductionToken;
    remoteKey = key;
    initiator = Arrays.compareUnsigned(localPublic, key.bytes()) < 0;
    message1 = null;
    message2 = null;
    handshake = null;
    try {
      if (initiator) {
        handshake = NoiseHandshake.initiator(HandshakePattern.IK).prologue(prologue()).localStatic(local)
          .remoteStatic(key.bytes()).build();
        message1 = handshake.writeMessage(new byte[0]);
      }
      to(State.HANDSHAKING, initiator ? "initiator" : "responder");
    } catch (CryptoException | RuntimeException e) {
      to(State.FAILED, "cannot start: " + e.getMessage());
    }
  }

  /** What this side's HELLO carries: message 1 from the initiator, nothing from the responder. */
  Opaque helloNoise() {
    return enabled && initiator && message1 != null ? Opaque.of(message1) : Opaque.EMPTY;
  }

  /**
   * A HELLO's handshake part. Returns what the HELLO_ACK carries back (message 2 from the
   * responder), or {@code null} when the HELLO must be dropped (counted).
   */
  Opaque onHello(Opaque noise) {
    if (!enabled) return Opaque.EMPTY;
    if (initiator) return Opaque.EMPTY; // the responder's punch: answered, it proves nothing
    if (noise.isEmpty()) return state == State.READY ? Opaque.of(message2) : null;
    byte[] m1 = noise.bytes();
    if (message1 != null && Arrays.equals(m1, message1)) return Opaque.of(message2); // another copy
    if (state != State.HANDSHAKING) {
      counters.drop(Drop.HELLO_REJECTED);
      return null;
    }
    try {
      NoiseHandshake hs = NoiseHandshake.responder(HandshakePattern.IK).prologue(prologue()).localStatic(local).build();
      hs.readMessage(m1);
      if (!PeerKey.of(hs.remoteStaticKey()).equals(remoteKey)) {
        counters.drop(Drop.KEY_MISMATCH); // the introduced peer's key is not the one that spoke
        return null;
      }
      byte[] m2 = hs.writeMessage(new byte[0]);
      message1 = m1;
      message2 = m2;
      keys(hs.result());
      return Opaque.of(m2);
    } catch (CryptoException | RuntimeException e) {
      counters.drop(Drop.HELLO_REJECTED);
      return null;
    }
  }

  /** A HELLO_ACK's handshake part; false when it must be dropped (counted). */
  boolean onHelloAck(Opaque noise) {
    if (!enabled) return true;
    if (!initiator) return state == State.READY; // the initiator's answer to our punch
    byte[] m2 = noise.bytes();
    if (state == State.READY) return Arrays.equals(m2, message2); // the same answer on another path
    if (state != State.HANDSHAKING || handshake == null || m2.length == 0) {
      counters.drop(Drop.HELLO_REJECTED);
      return false;
    }
    try {
      handshake.readMessage(m2);
      message2 = m2;
      keys(handshake.result());
      return true;
    } catch (CryptoException | RuntimeException e) {
      counters.drop(Drop.HELLO_REJECTED);
      handshake = null;
      to(State.FAILED, "the peer did not prove the introduced key");
      return false;
    }
  }

  private void keys(HandshakeResult r) {
    sender = new FrameCipher(r.sendKey());
    receiver = new FrameCipher(r.receiveKey());
    replay = new ReplayWindow();
    to(State.READY, "handshake complete");
  }

  private byte[] prologue() {
    return ByteBuffer.allocate(PROLOGUE.length + 8).put(PROLOGUE).putLong(token).array();
  }

  /**
   * Seals a whole frame (header + payload) in place, appending the tag; false (counted) when
   * there are no keys to seal with yet: the frame must not leave.
   */
  boolean seal(ByteBuf frame) {
    if (!enabled) return true;
    if (sender == null) {
      counters.drop(Drop.SEND_ERROR);
      return false;
    }
    frame.ensureWritable(FrameCipher.TAG_BYTES);
    int payload = frame.readableBytes() - FrameCodec.HEADER_BYTES;
    int at = frame.readerIndex();
    ByteBuffer header = frame.nioBuffer(at, FrameCodec.HEADER_BYTES);
    ByteBuffer region = frame.nioBuffer(at + FrameCodec.HEADER_BYTES, payload + FrameCipher.TAG_BYTES);
    ByteBuffer plain = region.duplicate();
    plain.limit(plain.position() + payload);
    try {
      sender.seal(header, plain, region);
    } catch (IllegalStateException e) { // a packet number not above the last: never reuse a nonce
      counters.drop(Drop.SEND_ERROR);
      return false;
    }
    frame.writerIndex(frame.writerIndex() + FrameCipher.TAG_BYTES);
    return true;
  }

  /**
   * Verifies and decrypts a whole frame in place (the tag is cut off). False, counted, when it
   * does not authenticate ({@code AUTH_FAILED}) or replays a packet number ({@code REPLAYED}).
   */
  boolean open(ByteBuf frame) {
    if (!enabled) return true;
    if (state != State.READY) {
      counters.drop(Drop.AUTH_FAILED);
      return false;
    }
    int at = frame.readerIndex();
    int sealed = frame.readableBytes() - FrameCodec.HEADER_BYTES;
    if (sealed < FrameCipher.TAG_BYTES) {
      counters.drop(Drop.AUTH_FAILED);
      return false;
    }
    ByteBuffer header = frame.nioBuffer(at, FrameCodec.HEADER_BYTES);
    ByteBuffer region = frame.nioBuffer(at + FrameCodec.HEADER_BYTES, sealed);
    if (!receiver.open(header, region.duplicate(), region)) {
      counters.drop(Drop.AUTH_FAILED);
      return false;
    }
    if (!replay.accept(FrameCodec.packetNumber(frame))) {
      counters.drop(Drop.REPLAYED);
      return false;
    }
    frame.writerIndex(frame.writerIndex() - FrameCipher.TAG_BYTES);
    return true;
  }

  State state() {
    return state;
  }
}
