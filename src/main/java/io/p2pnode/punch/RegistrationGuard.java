package io.p2pnode.punch;

import io.p2pnode.crypto.CryptoException;
import io.p2pnode.crypto.X25519KeyPair;
import io.p2pnode.wire.Bits128;
import io.p2pnode.wire.ControlMessage.Register;
import io.p2pnode.wire.ControlMessage.RegisterChallenge;
import io.p2pnode.wire.PeerKey;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's gate for remote registrations, free of I/O. A REGISTER counts only with a
 * current cookie and a MAC that proves its sender holds the registered key
 * ({@link RegistrationProof}); otherwise the answer is a {@link RegisterChallenge}: stateless (the
 * cookie is a MAC of the sender's address, the peer id and key and the time period under a
 * secret only this coordinator knows) and smaller than the REGISTER, so it neither stores
 * anything for spoofed senders nor amplifies. Optional admission: a network key (mixed into every
 * MAC key) and an allow-list of keys. Single-threaded (the coordinator's context).
 */
public final class RegistrationGuard {
  /**
   * Cookies change this often and are accepted for up to two periods: longer than any refresh
   * interval ({@code heartbeat.maxIntervalMs}), so refreshes rarely meet a new challenge.
   */
  public static final long COOKIE_PERIOD_MS = 300_000;

  /** What to do with a REGISTER. */
  public enum Verdict { ACCEPT, CHALLENGE, NOT_ADMITTED, AUTH_FAILED }

  private final X25519KeyPair key;
  private final PeerKey publicKey;
  private final byte[] networkKey;
  private final Set<PeerKey> allowed;
  private final byte[] secret = new byte[32];
  private final Map<PeerKey, byte[]> macKeys;

  /**
   * @param networkKey   mixed into every proof; empty for an open network
   * @param allowedKeys  the keys that may register; empty lets every key in
   * @param maxCachedKeys MAC keys kept (one X25519 each to recompute)
   */
  public RegistrationGuard(X25519KeyPair key, byte[] networkKey, Set<PeerKey> allowedKeys, int maxCachedKeys) {
    this.key = key;
    this.publicKey = PeerKey.of(key.publicKey());
    this.networkKey = networkKey.clone();
    this.allowed = Set.copyOf(allowedKeys);
    new SecureRandom().nextBytes(secret);
    this.macKeys = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PeerKey, byte[]> eldest) {
        return size() > maxCachedKeys;
      }
    };
  }

  /** Checks a REGISTER that {@code sender} sent at wall-clock {@code nowMs}. */
  public Verdict check(Register r, InetSocketAddress sender, long nowMs) {
    if (!allowed.isEmpty() && !allowed.contains(r.key())) return Verdict.NOT_ADMITTED;
    long period = nowMs / COOKIE_PERIOD_MS;
    Bits128 c = r.cookie();
    if (c.equals(Bits128.ZERO) || !(c.sameAs(cookie(r, sender, period)) || c.sameAs(cookie(r, sender, period - 1)))) {
      return Verdict.CHALLENGE;
    }
    byte[] k = macKey(r.key());
    return k != null && RegistrationProof.mac(k, r).sameAs(r.mac()) ? Verdict.ACCEPT : Verdict.AUTH_FAILED;
  }

  /** The challenge for {@code r} from {@code sender}. */
  public RegisterChallenge challenge(Register r, InetSocketAddress sender, long nowMs) {
    return new RegisterChallenge(r.txn(), publicKey, cookie(r, sender, nowMs / COOKIE_PERIOD_MS));
  }

  private byte[] macKey(PeerKey peer) {
    byte[] k = macKeys.get(peer);
    if (k != null) return k;
    try {
      k = RegistrationProof.macKey(key.privateKey(), peer.bytes(), networkKey);
    } catch (CryptoException e) {
      return null; // a low-order point: nobody holds its private key
    }
    macKeys.put(peer, k);
    return k;
  }

  private Bits128 cookie(Register r, InetSocketAddress sender, long period) {
    byte[] addr = sender.getAddress().getAddress();
    byte[] id = r.peerId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + addr.length + 2 + id.length + PeerKey.BYTES);
    b.putLong(period).put(addr).putShort((short) sender.getPort()).put(id).put(r.key().bytes());
    return Bits128.of(RegistrationProof.hmac(secret, b.array()));
  }
}
