package io.p2pnode.punch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.p2pnode.crypto.CryptoException;
import io.p2pnode.crypto.X25519;
import io.p2pnode.wire.Bits128;
import io.p2pnode.wire.ControlMessage.Register;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The proof that a REGISTER comes from the holder of its key, computed the same way by the peer
 * and the coordinator: {@code macKey = HMAC-SHA256(key = "p2p-node register v1" || networkKey,
 * X25519(own private, other public))}, then {@code mac = HMAC-SHA256(macKey, REGISTER payload with
 * the mac field zero)} truncated to 128 bits. Only the peer's and the coordinator's private keys
 * give the shared secret, and only members of the network know {@code networkKey} (empty when
 * the network is open). The cookie inside the payload binds the proof to the coordinator's
 * challenge, so an old proof cannot be replayed from another address.
 */
public final class RegistrationProof {
  private static final byte[] LABEL = "p2p-node register v1".getBytes(StandardCharsets.US_ASCII);

  private RegistrationProof() {
  }

  /** The MAC key between {@code ownPrivate} and {@code otherPublic} in network {@code networkKey}. */
  public static byte[] macKey(byte[] ownPrivate, byte[] otherPublic, byte[] networkKey) throws CryptoException {
    byte[] shared = X25519.dh(ownPrivate, otherPublic);
    byte[] label = new byte[LABEL.length + networkKey.length];
    System.arraycopy(LABEL, 0, label, 0, LABEL.length);
    System.arraycopy(networkKey, 0, label, LABEL.length, networkKey.length);
    return hmac(label, shared);
  }

  /** The MAC of {@code r} (its cookie included, its mac field ignored) under {@code macKey}. */
  public static Bits128 mac(byte[] macKey, Register r) {
    ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(256);
    try {
      r.proven(r.cookie(), Bits128.ZERO).writePayload(b);
      return Bits128.of(hmac(macKey, ByteBufUtil.getBytes(b)));
    } finally {
      b.release();
    }
  }

  /** HMAC-SHA256. */
  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
