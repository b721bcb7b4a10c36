package io.p2pnode.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/** AES-256-GCM as Noise uses it: 96-bit nonce = 4 zero bytes || 64-bit big-endian counter. */
final class Aead {
  static final int KEY_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int NONCE_BYTES = 12;
  static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private Aead() {
  }

  static Cipher newCipher() {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + TRANSFORMATION, e);
    }
  }

  /** The GCM parameters for counter {@code n}; {@code iv} is scratch space of {@link #NONCE_BYTES}. */
  static GCMParameterSpec nonce(byte[] iv, long n) {
    iv[0] = 0;
    iv[1] = 0;
    iv[2] = 0;
    iv[3] = 0;
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (56 - 8 * i));
    }
    return new GCMParameterSpec(TAG_BYTES * 8, iv);
  }
}
