package io.p2pnode.crypto;

import io.p2pnode.crypto.HandshakePattern.Token;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * One side of a Noise handshake (revision 34, spec §5.3) with suite {@code 25519_AESGCM_SHA256},
 * driving any {@link HandshakePattern} (the node uses {@link HandshakePattern#IK}; {@link
 * HandshakePattern#XX} also passes the test vectors). Pure: the caller carries the messages.
 *
 * <p>Calls alternate {@link #writeMessage} and {@link #readMessage} as {@link #isMyTurn()} says.
 * Any failure (a message that is truncated, oversized or does not authenticate, a bad DH) kills
 * the handshake: keys are wiped and every later call throws {@link IllegalStateException}. When
 * the last message has been written or read, {@link #result()} holds the transport keys. The
 * remote static key is readable as soon as it arrives, so a responder can check it against an
 * allow-list before answering. Not thread-safe.
 */
public final class NoiseHandshake {
  /** Noise's limit on one message. */
  public static final int MAX_MESSAGE_BYTES = 65535;
  private static final int DH_BYTES = X25519.KEY_BYTES;
  private static final SecureRandom DEFAULT_RANDOM = new SecureRandom();

  private enum Phase { RUNNING, COMPLETE, FAILED }

  private final HandshakePattern pattern;
  private final boolean initiator;
  private final SecureRandom random;
  private final SymmetricState symmetric;
  private final X25519KeyPair s;
  private X25519KeyPair e;
  private byte[] rs;
  private byte[] re;
  private int index;
  private Phase phase = Phase.RUNNING;
  private HandshakeResult result;

  private NoiseHandshake(Builder b) {
    this.pattern = b.pattern;
    this.initiator = b.initiator;
    this.random = b.random;
    this.s = b.localStatic;
    this.e = b.ephemeral;
    this.rs = b.remoteStatic;
    this.symmetric = new SymmetricState(pattern.protocolName());
    symmetric.mixHash(b.prologue);
    mixPreMessage(pattern.initiatorPreMessage(), initiator);
    mixPreMessage(pattern.responderPreMessage(), !initiator);
  }

  /** Starts building the initiator of {@code pattern}. */
  public static Builder initiator(HandshakePattern pattern) {
    return new Builder(pattern, true);
  }

  /** Starts building the responder of {@code pattern}. */
  public static Builder responder(HandshakePattern pattern) {
    return new Builder(pattern, false);
  }

  /**
   * Writes the next handshake message carrying {@code payload} (encrypted once a key exists).
   *
   * @throws IllegalArgumentException when the message would exceed {@link #MAX_MESSAGE_BYTES}
   * @throws IllegalStateException when it is not this side's turn or the handshake is over
   */
  public byte[] writeMessage(byte[] payload) throws CryptoException {
    checkTurn(true);
    List<Token> tokens = pattern.messages().get(index);
    int size = messageLength(tokens, payload.length);
    if (size > MAX_MESSAGE_BYTES) throw new IllegalArgumentException("handshake message of " + size + " bytes");
    byte[] out = new byte[size];
    try {
      int pos = 0;
      for (Token token : tokens) pos = writeToken(token, out, pos);
      byte[] body = symmetric.encryptAndHash(payload);
      System.arraycopy(body, 0, out, pos, body.length);
      advance();
      return out;
    } catch (CryptoException | RuntimeException ex) {
      fail();
      throw ex;
    }
  }

  /**
   * Reads the peer's next handshake message and returns its payload.
   *
   * @throws CryptoException when the message is oversized, truncated or does not authenticate;
   *     the handshake is then dead
   * @throws IllegalStateException when it is this side's turn to write or the handshake is over
   */
  public byte[] readMessage(byte[] message) throws CryptoException {
    checkTurn(false);
    try {
      if (message.length > MAX_MESSAGE_BYTES) throw new CryptoException("handshake message too long: " + message.length);
      int pos = 0;
      for (Token token : pattern.messages().get(index)) pos = readToken(token, message, pos);
      byte[] payload = symmetric.decryptAndHash(Arrays.copyOfRange(message, pos, message.length));
      advance();
      return payload;
    } catch (CryptoException | RuntimeException ex) {
      fail();
      throw ex;
    }
  }

  /** Kills the handshake (e.g. the remote static key is not welcome) and wipes its keys. */
  public void abort() {
    if (phase == Phase.RUNNING) fail();
  }

  public boolean isMyTurn() {
    return phase == Phase.RUNNING && (index % 2 == 0) == initiator;
  }

  public boolean isComplete() {
    return phase == Phase.COMPLETE;
  }

  public boolean isFailed() {
    return phase == Phase.FAILED;
  }

  public boolean isInitiator() {
    return initiator;
  }

  public HandshakePattern pattern() {
    return pattern;
  }

  /** The peer's static public key once known (pre-message or received), else null. */
  public byte[] remoteStaticKey() {
    return rs == null ? null : rs.clone();
  }

  /** The current handshake hash {@code h}; after completion, the final one. */
  public byte[] handshakeHash() {
    return symmetric.handshakeHash();
  }

  /** Transport keys and peer identity; only once {@link #isComplete()}. */
  public HandshakeResult result() {
    if (phase != Phase.COMPLETE) throw new IllegalStateException("handshake not complete: " + phase);
    return result;
  }

  private void mixPreMessage(List<Token> tokens, boolean mine) {
    for (Token token : tokens) {
      if (token == Token.S) symmetric.mixHash(mine ? s.publicKeyRef() : rs);
    }
  }

  private void checkTurn(boolean write) {
    if (phase != Phase.RUNNING) throw new IllegalStateException("handshake is " + phase);
    if (isMyTurn() != write) throw new IllegalStateException("not this side's turn to " + (write ? "write" : "read"));
  }

  private int messageLength(List<Token> tokens, int payloadLength) {
    boolean keyed = symmetric.hasKey();
    int size = 0;
    for (Token token : tokens) {
      switch (token) {
        case E -> size += DH_BYTES;
        case S -> size += DH_BYTES + (keyed ? Aead.TAG_BYTES : 0);
        default -> keyed = true;
      }
    }
    return size + payloadLength + (keyed ? Aead.TAG_BYTES : 0);
  }

  private int writeToken(Token token, byte[] out, int pos) throws CryptoException {
    switch (token) {
      case E -> {
        if (e == null) e = X25519KeyPair.generate(random);
        byte[] pub = e.publicKeyRef();
        System.arraycopy(pub, 0, out, pos, DH_BYTES);
        symmetric.mixHash(pub);
        return pos + DH_BYTES;
      }
      case S -> {
        byte[] ct = symmetric.encryptAndHash(s.publicKeyRef());
        System.arraycopy(ct, 0, out, pos, ct.length);
        return pos + ct.length;
      }
      default -> {
        symmetric.mixKey(dh(token));
        return pos;
      }
    }
  }

  private int readToken(Token token, byte[] in, int pos) throws CryptoException {
    switch (token) {
      case E -> {
        re = slice(in, pos, DH_BYTES);
        symmetric.mixHash(re);
        return pos + DH_BYTES;
      }
      case S -> {
        int len = DH_BYTES + (symmetric.hasKey() ? Aead.TAG_BYTES : 0);
        rs = symmetric.decryptAndHash(slice(in, pos, len));
        return pos + len;
      }
      default -> {
        symmetric.mixKey(dh(token));
        return pos;
      }
    }
  }

  private byte[] dh(Token token) throws CryptoException {
    return switch (token) {
      case EE -> X25519.dh(e.privateKeyRef(), re);
      case ES -> initiator ? X25519.dh(e.privateKeyRef(), rs) : X25519.dh(s.privateKeyRef(), re);
      case SE -> initiator ? X25519.dh(s.privateKeyRef(), re) : X25519.dh(e.privateKeyRef(), rs);
      case SS -> X25519.dh(s.privateKeyRef(), rs);
      default -> throw new IllegalArgumentException(token + " is not a DH token");
    };
  }

  private static byte[] slice(byte[] in, int pos, int len) throws CryptoException {
    if (in.length - pos < len) throw new CryptoException("handshake message truncated: " + in.length + " bytes");
    return Arrays.copyOfRange(in, pos, pos + len);
  }

  private void advance() {
    index++;
    if (index < pattern.messages().size()) return;
    CipherState[] pair = symmetric.split();
    result = new HandshakeResult(rs == null ? null : rs.clone(), symmetric.handshakeHash(),
        initiator ? pair[0] : pair[1], initiator ? pair[1] : pair[0]);
    wipe();
    phase = Phase.COMPLETE;
  }

  private void fail() {
    phase = Phase.FAILED;
    wipe();
  }

  private void wipe() {
    symmetric.destroy();
    if (e != null) e.destroy();
  }

  @Override
  public String toString() {
    return "NoiseHandshake[" + pattern.protocolName() + ", " + (initiator ? "initiator" : "responder")
        + ", message " + index + ", " + phase + "]";
  }

  /** Configures a {@link NoiseHandshake}; the key requirements follow from the pattern and role. */
  public static final class Builder {
    private final HandshakePattern pattern;
    private final boolean initiator;
    private byte[] prologue = new byte[0];
    private X25519KeyPair localStatic;
    private byte[] remoteStatic;
    private X25519KeyPair ephemeral;
    private SecureRandom random = DEFAULT_RANDOM;

    private Builder(HandshakePattern pattern, boolean initiator) {
      this.pattern = pattern;
      this.initiator = initiator;
    }

    /** Data both sides must agree on, authenticated but not sent. Default: empty. */
    public Builder prologue(byte[] prologue) {
      this.prologue = prologue.clone();
      return this;
    }

    /** This side's long-term key pair (not copied, not wiped). */
    public Builder localStatic(X25519KeyPair keyPair) {
      this.localStatic = keyPair;
      return this;
    }

    /** The peer's static public key known in advance (IK initiator). */
    public Builder remoteStatic(byte[] publicKey) {
      X25519.checkLength(publicKey, "remote static key");
      this.remoteStatic = publicKey.clone();
      return this;
    }

    /** A fixed ephemeral private key. For test vectors only: reusing one breaks secrecy. */
    public Builder ephemeral(byte[] privateKey) {
      this.ephemeral = X25519KeyPair.fromPrivate(privateKey);
      return this;
    }

    /** Source of ephemeral keys. Default: a shared {@link SecureRandom}. */
    public Builder random(SecureRandom random) {
      this.random = random;
      return this;
    }

    /**
     * @throws IllegalArgumentException when a key the pattern needs is missing, or a remote
     *     static key is given that the pattern would not use
     */
    public NoiseHandshake build() {
      if (pattern.needsLocalStatic(initiator) && localStatic == null) {
        throw new IllegalArgumentException(pattern + " needs a local static key");
      }
      if (pattern.needsRemoteStatic(initiator) != (remoteStatic != null)) {
        throw new IllegalArgumentException(pattern + (remoteStatic == null
            ? " needs the remote static key" : " learns the remote static key in the handshake; check remoteStaticKey()"));
      }
      return new NoiseHandshake(this);
    }
  }
}
