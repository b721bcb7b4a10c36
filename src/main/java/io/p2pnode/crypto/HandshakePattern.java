package io.p2pnode.crypto;

import java.util.List;

/**
 * A Noise handshake pattern as data (spec §7): pre-message tokens of each side and the token list
 * of each message, the initiator sending the even-numbered messages. {@link NoiseHandshake} runs
 * any pattern built from these tokens, without PSK modifiers; {@link #IK} and {@link #XX} are the
 * two the node uses and the two the test vectors cover.
 */
public final class HandshakePattern {
  /** Message tokens. */
  public enum Token { E, S, EE, ES, SE, SS }

  /** {@code <- s ... -> e, es, s, ss  <- e, ee, se}: the initiator knows the responder's static key. */
  public static final HandshakePattern IK = new HandshakePattern("IK", List.of(), List.of(Token.S),
      List.of(List.of(Token.E, Token.ES, Token.S, Token.SS), List.of(Token.E, Token.EE, Token.SE)));

  /** {@code -> e  <- e, ee, s, es  -> s, se}: mutual authentication, no prior knowledge. */
  public static final HandshakePattern XX = new HandshakePattern("XX", List.of(), List.of(),
      List.of(List.of(Token.E), List.of(Token.E, Token.EE, Token.S, Token.ES), List.of(Token.S, Token.SE)));

  private final String name;
  private final List<Token> initiatorPre;
  private final List<Token> responderPre;
  private final List<List<Token>> messages;

  /**
   * A pattern. Pre-messages may hold only {@link Token#S} (ephemeral pre-messages are not supported).
   */
  public HandshakePattern(String name, List<Token> initiatorPre, List<Token> responderPre, List<List<Token>> messages) {
    if (!List.of(Token.S).containsAll(initiatorPre) || !List.of(Token.S).containsAll(responderPre)) {
      throw new IllegalArgumentException("pre-messages may only contain s");
    }
    if (messages.isEmpty()) throw new IllegalArgumentException("a pattern needs at least one message");
    this.name = name;
    this.initiatorPre = List.copyOf(initiatorPre);
    this.responderPre = List.copyOf(responderPre);
    this.messages = messages.stream().map(List::copyOf).toList();
  }

  /** The pattern name, e.g. {@code IK}. */
  public String name() {
    return name;
  }

  /** {@code Noise_<name>_25519_AESGCM_SHA256}. */
  public String protocolName() {
    return "Noise_" + name + "_25519_AESGCM_SHA256";
  }

  public List<Token> initiatorPreMessage() {
    return initiatorPre;
  }

  public List<Token> responderPreMessage() {
    return responderPre;
  }

  public List<List<Token>> messages() {
    return messages;
  }

  /** Whether the role needs its own static key pair (sends it, or a DH uses it). */
  public boolean needsLocalStatic(boolean initiator) {
    if ((initiator ? initiatorPre : responderPre).contains(Token.S)) return true;
    Token mine = initiator ? Token.SE : Token.ES;
    for (int i = 0; i < messages.size(); i++) {
      List<Token> tokens = messages.get(i);
      boolean sends = (i % 2 == 0) == initiator;
      if (sends && tokens.contains(Token.S) || tokens.contains(mine) || tokens.contains(Token.SS)) return true;
    }
    return false;
  }

  /** Whether the role must know the peer's static key before the handshake starts. */
  public boolean needsRemoteStatic(boolean initiator) {
    return (initiator ? responderPre : initiatorPre).contains(Token.S);
  }

  @Override
  public String toString() {
    return name;
  }
}
