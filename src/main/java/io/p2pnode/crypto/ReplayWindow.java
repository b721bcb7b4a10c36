package io.p2pnode.crypto;

/**
 * Sliding-window anti-replay for packet numbers (RFC 6479, as WireGuard does it): a ring of
 * {@value #RING_WORDS} 64-bit words holds one bit per packet number; moving the window clears
 * whole words, so each call is O(1) amortised and never shifts a bitmap. The window spans
 * {@value #WINDOW} numbers below the highest accepted one (one word of the ring is the slack that
 * lets a word be cleared before it is reused).
 *
 * <p>Call {@link #accept} only after the frame authenticated: an attacker must not be able to
 * move the window with forged numbers. Not thread-safe (one per receiving session).
 */
public final class ReplayWindow {
  /** Words in the ring; a power of two. */
  public static final int RING_WORDS = 64;
  /** Packet numbers accepted below the highest one seen: (64 − 1) × 64 = 4032. */
  public static final int WINDOW = (RING_WORDS - 1) * Long.SIZE;
  private static final int MASK = RING_WORDS - 1;

  private final long[] ring = new long[RING_WORDS];
  private long highest = -1;

  /**
   * Records {@code packetNumber} if it is new and inside the window.
   *
   * @return false for a negative number, a duplicate, or one {@value #WINDOW} or more below the
   *     highest accepted
   */
  public boolean accept(long packetNumber) {
    if (packetNumber < 0) return false;
    if (packetNumber > highest) {
      advance(packetNumber);
    } else if (highest - packetNumber >= WINDOW) {
      return false;
    }
    int word = (int) ((packetNumber >>> 6) & MASK);
    long bit = 1L << (packetNumber & 63);
    if ((ring[word] & bit) != 0) return false;
    ring[word] |= bit;
    return true;
  }

  /** The highest accepted packet number, or -1 before the first. */
  public long highest() {
    return highest;
  }

  /** Clears the words between the old highest and {@code packetNumber}, at most the whole ring. */
  private void advance(long packetNumber) {
    long from = highest < 0 ? -1 : highest >>> 6;
    long to = packetNumber >>> 6;
    long words = Math.min(to - from, RING_WORDS);
    for (long i = 1; i <= words; i++) {
      ring[(int) ((from + i) & MASK)] = 0;
    }
    highest = packetNumber;
  }
}
