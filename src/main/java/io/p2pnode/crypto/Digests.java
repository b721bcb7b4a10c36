package io.p2pnode.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;

/** JCA look-ups that cannot fail on a JDK 17. */
final class Digests {
  private Digests() {
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }

  static Mac hmacSha256() {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks HmacSHA256", e);
    }
  }
}
