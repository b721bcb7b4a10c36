package io.p2pnode;

import io.p2pnode.wire.PeerKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Deterministic stand-in public keys for named test peers: the same name always gets the same key. */
public final class TestKeys {
  private TestKeys() {
  }

  /** SHA-256 of {@code name}, as a 32-byte key. */
  public static PeerKey of(String name) {
    try {
      return PeerKey.of(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
