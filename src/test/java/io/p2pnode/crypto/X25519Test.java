package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** RFC 7748 §6.1 vectors over the JDK provider, and the raw-key conversions. */
class X25519Test {
  private static final byte[] ALICE_SK = Hex.bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  private static final byte[] ALICE_PK = Hex.bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  private static final byte[] BOB_SK = Hex.bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  private static final byte[] BOB_PK = Hex.bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  private static final byte[] SHARED = Hex.bytes("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

  @Test
  void rfc7748Vectors() throws CryptoException {
    assertArrayEquals(ALICE_PK, X25519.publicKey(ALICE_SK));
    assertArrayEquals(BOB_PK, X25519.publicKey(BOB_SK));
    assertArrayEquals(SHARED, X25519.dh(ALICE_SK, BOB_PK));
    assertArrayEquals(SHARED, X25519.dh(BOB_SK, ALICE_PK));
  }

  @Test
  void highBitOfPublicKeyIsIgnored() throws CryptoException {
    byte[] pk = BOB_PK.clone();
    pk[31] |= (byte) 0x80;
    assertArrayEquals(SHARED, X25519.dh(ALICE_SK, pk));
  }

  @Test
  void smallOrderPointsAreRefused() {
    assertThrows(CryptoException.class, () -> X25519.dh(ALICE_SK, new byte[32]));
    byte[] one = new byte[32];
    one[0] = 1;
    assertThrows(CryptoException.class, () -> X25519.dh(ALICE_SK, one));
  }

  @Test
  void keyPairsAgreeAndHideThePrivateKey() throws CryptoException {
    SecureRandom random = new SecureRandom();
    X25519KeyPair a = X25519KeyPair.generate(random);
    X25519KeyPair b = X25519KeyPair.generate(random);
    assertArrayEquals(X25519.dh(a.privateKey(), b.publicKey()), X25519.dh(b.privateKey(), a.publicKey()));
    assertFalse(a.toString().contains(Hex.of(a.privateKey())));
    assertEquals(32, a.publicKey().length);
    assertThrows(IllegalArgumentException.class, () -> X25519KeyPair.fromPrivate(new byte[31]));
  }
}
