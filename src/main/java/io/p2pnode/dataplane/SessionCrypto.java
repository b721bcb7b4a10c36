package io.p2pnode.dataplane;

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
 * <p>Keys are renewed (a new IK handshake over the session's path, started by the initiator)
 * after {@code session.rekeyAfterPackets} frames or {@code session.rekeyAfterMs}; each set has a
 * key phase, the header flag bit that tells the receiver which set sealed a frame.
 *
 * <p>States: {@code IDLE} (no introduction) → {@code HANDSHAKING} → {@code READY}, or
 * {@code FAILED} when the peer does not prove the introduced key; a new introduction (new
 * token) starts over. {@link #to} is the one place that changes state. With encryption off
 * ({@code session.encryption=false}) the class is a pass-through. Single-threaded.
 */
public final class SessionCrypto {
  private static final Logger LOG = Logger.getLogger("p2p.session");
  private static final byte[] PROLOGUE = "p2p-node session v1".getBytes(StandardCharsets.US_ASCII);

  public enum State { IDLE, HANDSHAKING, READY, FAILED }

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
  private int sendPhase;
  /** Receive keys by key phase (the header's {@link FrameCodec#FLAG_KEY_PHASE} bit): the current and the previous set. */
  private final FrameCipher[] receivers = new FrameCipher[2];
  private final ReplayWindow[] replays = new ReplayWindow[2];
  private final long rekeyAfterPackets;
  private final long rekeyAfterNanos;
  private final io.p2pnode.time.Clock clock;
  private long sealedWithKeys;
  private long keysSince;
  private long keySets;
  /** A rekey in progress (initiator): the new handshake and its first message. */
  private NoiseHandshake rekey;
  private byte[] rekeyMessage1;

  /**
   * @param local this node's static key pair, {@code null} when encryption is off
   * @param rekeyAfterPackets frames sealed under one key set before the initiator renews it
   * @param rekeyAfterMs      age of a key set after which the initiator renews it
   */
  public SessionCrypto(X25519KeyPair local, String peerId, Counters counters, long rekeyAfterPackets, long rekeyAfterMs,
                io.p2pnode.time.Clock clock) {
    this.rekeyAfterPackets = rekeyAfterPackets;
    this.rekeyAfterNanos = rekeyAfterMs * 1_000_000L;
    this.clock = clock;
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
  public boolean ready() {
    return !enabled || state == State.READY;
  }

  /** Whether this side sends handshake message 1 and waits for the answer (encryption on). */
  public boolean initiating() {
    return enabled && initiator && state == State.HANDSHAKING;
  }

  /** Bytes a sealed frame adds: the AEAD tag. */
  public int overhead() {
    return enabled ? FrameCipher.TAG_BYTES : 0;
  }

  /** An introduction: the peer's key and its token. A new token starts a new handshake. */
  public void introduced(PeerKey key, long introductionToken) {
    if (!enabled || (introductionToken == token && key.equals(remoteKey) && state != State.FAILED)) return;
    token = introductionToken;
    remoteKey = key;
    initiator = Arrays.compareUnsigned(localPublic, key.bytes()) < 0;
    message1 = null;
    message2 = null;
    handshake = null;
    rekey = null;
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
  public Opaque helloNoise() {
    if (enabled && rekey != null) return Opaque.of(rekeyMessage1);
    return enabled && initiator && message1 != null ? Opaque.of(message1) : Opaque.EMPTY;
  }

  /**
   * Whether the initiator should renew the keys now: {@code session.rekeyAfterPackets} frames
   * sealed or {@code session.rekeyAfterMs} passed under the current set, and no renewal running.
   */
  public boolean rekeyDue() {
    return enabled && initiator && state == State.READY && rekey == null
      && (sealedWithKeys >= rekeyAfterPackets || clock.nanoTime() - keysSince >= rekeyAfterNanos);
  }

  /** Whether a key renewal waits for the peer's answer (its HELLO is sent again each tick). */
  public boolean rekeyPending() {
    return rekey != null;
  }

  /**
   * Starts renewing the keys (initiator): a fresh IK handshake whose first message the next
   * HELLOs carry (on the session's path); frames keep flowing under the current keys until the
   * answer arrives. Returns that HELLO's handshake part.
   */
  public Opaque startRekey() {
    try {
      rekey = NoiseHandshake.initiator(HandshakePattern.IK).prologue(prologue()).localStatic(local).remoteStatic(remoteKey.bytes())
        .build();
      rekeyMessage1 = rekey.writeMessage(new byte[0]);
      LOG.fine(() -> "session " + peerId + " renewing keys after " + sealedWithKeys + " frames");
      return Opaque.of(rekeyMessage1);
    } catch (CryptoException | RuntimeException e) {
      rekey = null;
      return Opaque.EMPTY;
    }
  }

  /**
   * A HELLO's handshake part. Returns what the HELLO_ACK carries back (message 2 from the
   * responder), or {@code null} when the HELLO must be dropped (counted).
   */
  public Opaque onHello(Opaque noise) {
    if (!enabled) return Opaque.EMPTY;
    if (initiator) return Opaque.EMPTY; // the responder's punch: answered, it proves nothing
    if (noise.isEmpty()) return state == State.READY ? Opaque.of(message2) : null;
    byte[] m1 = noise.bytes();
    if (message1 != null && Arrays.equals(m1, message1)) return Opaque.of(message2); // another copy
    if (state != State.HANDSHAKING && state != State.READY) { // READY: the initiator renews the keys
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
  public boolean onHelloAck(Opaque noise) {
    if (!enabled) return true;
    if (!initiator) return state == State.READY; // the initiator's answer to our punch
    byte[] m2 = noise.bytes();
    if (state == State.READY && rekey != null && m2.length > 0 && !Arrays.equals(m2, message2)) {
      try {
        rekey.readMessage(m2);
        message1 = rekeyMessage1;
        message2 = m2;
        keys(rekey.result());
        return true;
      } catch (CryptoException | RuntimeException e) {
        counters.drop(Drop.HELLO_REJECTED);
        return false;
      } finally {
        rekey = null;
        rekeyMessage1 = null;
      }
    }
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

  /**
   * Installs a key set. Its phase is a bit of the handshake hash, the same on both sides without
   * counting: frames carry it in their header, so frames of the previous set still in flight
   * open with the previous receive key (unless both sets drew the same bit; then they are lost
   * and resent).
   */
  private void keys(HandshakeResult r) {
    int phase = r.handshakeHash()[0] & 1;
    sender = new FrameCipher(r.sendKey());
    sendPhase = phase;
    receivers[phase] = new FrameCipher(r.receiveKey());
    replays[phase] = new ReplayWindow();
    sealedWithKeys = 0;
    keysSince = clock.nanoTime();
    keySets++;
    to(State.READY, keySets == 1 ? "handshake complete" : "keys renewed");
  }

  /** Key sets agreed so far in this session (1 after the handshake, more after renewals). */
  public long keySets() {
    return keySets;
  }

  private byte[] prologue() {
    return ByteBuffer.allocate(PROLOGUE.length + 8).put(PROLOGUE).putLong(token).array();
  }

  /**
   * Seals a whole frame (header + payload) in place, appending the tag; false (counted) when
   * there are no keys to seal with yet: the frame must not leave.
   */
  public boolean seal(ByteBuf frame) {
    if (!enabled) return true;
    if (sender == null) {
      counters.drop(Drop.SEND_ERROR);
      return false;
    }
    frame.ensureWritable(FrameCipher.TAG_BYTES);
    int payload = frame.readableBytes() - FrameCodec.HEADER_BYTES;
    int at = frame.readerIndex();
    frame.setByte(at + 2, (frame.getByte(at + 2) & ~FrameCodec.FLAG_KEY_PHASE) | sendPhase);
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
    sealedWithKeys++;
    return true;
  }

  /**
   * Verifies and decrypts a whole frame (the tag is cut off). A frame on the heap is opened in
   * place and returned; a direct one (as sockets receive them) is copied to the heap once and
   * opened there (AES-GCM works on arrays; opening the direct frame itself took two scratch
   * copies): the caller releases the copy. {@code null}, counted, when it does not authenticate
   * ({@code AUTH_FAILED}) or replays a packet number ({@code REPLAYED}).
   */
  public ByteBuf open(ByteBuf frame) {
    if (!enabled) return frame;
    if (state != State.READY) {
      counters.drop(Drop.AUTH_FAILED);
      return null;
    }
    if (frame.hasArray()) return openInPlace(frame) ? frame : null;
    ByteBuf heap = frame.alloc().heapBuffer(frame.readableBytes());
    heap.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
    if (openInPlace(heap)) return heap;
    heap.release();
    return null;
  }

  private boolean openInPlace(ByteBuf frame) {
    int at = frame.readerIndex();
    int sealed = frame.readableBytes() - FrameCodec.HEADER_BYTES;
    if (sealed < FrameCipher.TAG_BYTES) {
      counters.drop(Drop.AUTH_FAILED);
      return false;
    }
    int phase = frame.getByte(at + 2) & FrameCodec.FLAG_KEY_PHASE;
    FrameCipher receiver = receivers[phase];
    ByteBuffer header = frame.nioBuffer(at, FrameCodec.HEADER_BYTES);
    ByteBuffer region = frame.nioBuffer(at + FrameCodec.HEADER_BYTES, sealed);
    if (receiver == null || !receiver.open(header, region.duplicate(), region)) {
      counters.drop(Drop.AUTH_FAILED);
      return false;
    }
    if (!replays[phase].accept(FrameCodec.packetNumber(frame))) {
      counters.drop(Drop.REPLAYED);
      return false;
    }
    frame.writerIndex(frame.writerIndex() - FrameCipher.TAG_BYTES);
    return true;
  }

  public State state() {
    return state;
  }
}
