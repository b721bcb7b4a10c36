package io.p2pnode.congestion;

/**
 * Delivery-rate sampling, draft-ietf-ccwg-bbr §4.5 (ngtcp2 {@code ngtcp2_rst.c}, Linux {@code tcp_rate.c}).
 *
 * <p>Each packet remembers, when it leaves, how much the connection had delivered by then and when
 * ({@link PacketState}). When it is acknowledged, the bytes delivered between the two moments over the
 * longer of the send and the ACK interval is one sample of the delivery rate. Samples taken while the
 * sender had nothing to send (application limited) are marked, so the bandwidth model does not
 * shrink because the application paused.
 *
 * <p>Per ACK: {@link #beginAck}, {@link #onAcked} for each newly acknowledged packet, then {@link #endAck}.
 * Single-threaded; times in nanoseconds of the injected clock.
 */
public final class RateSampler {
  /**
   * The connection's delivery state when a packet was sent, kept with the packet.
   *
   * @param delivered     {@link #delivered()} when it left
   * @param deliveredTime time of the last delivery before it left
   * @param firstSentTime send time of the first packet of the current flight
   * @param appLimited    whether the sender was application limited
   * @param txInFlight    bytes in flight once it left (itself included)
   * @param lost          {@link #lost()} when it left
   * @param id            sequence number of sends
   * @param sentTime      when it left
   * @param bytes         its size
   */
  public record PacketState(long delivered, long deliveredTime, long firstSentTime, boolean appLimited, long txInFlight,
                            long lost, long id, long sentTime, int bytes) {
  }

  private long delivered;
  private long deliveredTime;
  private long firstSentTime;
  private long appLimited;
  private long lost;
  private long nextId;
  private boolean cwndLimited;
  private long minRtt = Long.MAX_VALUE;

  // the current rate sample (rs in the draft)
  private long priorDelivered;
  private long priorTime = -1;
  private long sendElapsed;
  private long ackElapsed;
  private long lastAckedId = -1;
  private boolean sampleAppLimited;
  private long sampleDelivered;
  private long sampleTxInFlight;
  private long sampleLost;
  private long sampleLostAtSend;
  private long deliveryRate;

  /** Forgets everything (a new path). */
  public void reset() {
    delivered = deliveredTime = firstSentTime = appLimited = lost = 0;
    cwndLimited = false;
    minRtt = Long.MAX_VALUE;
    priorTime = -1;
    lastAckedId = -1;
    deliveryRate = 0;
  }

  /**
   * A packet left.
   *
   * @param bytesInFlight bytes in flight with this packet
   */
  public PacketState onSent(long now, int bytes, long bytesInFlight) {
    if (bytesInFlight == bytes) firstSentTime = deliveredTime = now; // nothing else in flight: a new flight starts
    return new PacketState(delivered, deliveredTime, firstSentTime, appLimited != 0, bytesInFlight, lost, nextId++, now,
      bytes);
  }

  /** An ACK frame is about to be processed: no rate sample yet. */
  public void beginAck() {
    priorTime = -1;
    deliveryRate = 0;
    sampleDelivered = 0;
  }

  /** A packet was newly acknowledged (UpdateRateSample in the draft). */
  public void onAcked(PacketState p, long now) {
    delivered += p.bytes();
    deliveredTime = now;
    if (priorTime < 0 || p.id() > lastAckedId) {
      priorDelivered = p.delivered();
      priorTime = p.deliveredTime();
      sampleAppLimited = p.appLimited();
      sendElapsed = p.sentTime() - p.firstSentTime();
      ackElapsed = deliveredTime - p.deliveredTime();
      sampleTxInFlight = p.txInFlight();
      sampleLostAtSend = p.lost();
      lastAckedId = p.id();
      firstSentTime = p.sentTime();
    }
  }

  /**
   * All packets of the ACK were handed over (GenerateRateSample in the draft): computes the
   * delivery rate, unless the interval is shorter than the minimum RTT (ACK compression).
   *
   * @param rttNanos this ACK's RTT sample, or -1
   */
  public void endAck(long rttNanos) {
    if (rttNanos > 0) minRtt = Math.min(minRtt, rttNanos);
    if (appLimited != 0 && delivered > appLimited) appLimited = 0;
    if (priorTime < 0) return;
    sampleDelivered = delivered - priorDelivered;
    sampleLost = lost - sampleLostAtSend;
    long interval = Math.max(sendElapsed, ackElapsed);
    if (interval <= 0 || (minRtt != Long.MAX_VALUE && interval < minRtt)) return;
    deliveryRate = (long) (sampleDelivered * 1e9 / interval);
  }

  /** A packet was declared lost. */
  public void onLost(int bytes) {
    lost += bytes;
  }

  /** The sender has nothing more to send now: samples until what is in flight is delivered are application limited. */
  public void markAppLimited(long bytesInFlight) {
    appLimited = Math.max(delivered + bytesInFlight, 1);
  }

  /** Whether the sender is application limited now. */
  public boolean appLimited() {
    return appLimited != 0;
  }

  /** The sender filled its congestion window in this round. */
  public void setCwndLimited(boolean v) {
    cwndLimited = v;
  }

  public boolean cwndLimited() {
    return cwndLimited;
  }

  /** Bytes delivered so far (C.delivered). */
  public long delivered() {
    return delivered;
  }

  /** Bytes declared lost so far (C.lost). */
  public long lost() {
    return lost;
  }

  /** The delivery rate of the last ACK in bytes per second, 0 when it gave no valid sample. */
  public long deliveryRate() {
    return deliveryRate;
  }

  /** rs.delivered: bytes delivered over the sample's interval. */
  public long sampleDelivered() {
    return sampleDelivered;
  }

  /** rs.prior_delivered: C.delivered when the sample's packet left. */
  public long samplePriorDelivered() {
    return priorDelivered;
  }

  /** rs.is_app_limited. */
  public boolean sampleAppLimited() {
    return sampleAppLimited;
  }

  /** rs.tx_in_flight: bytes in flight when the sample's packet left. */
  public long sampleTxInFlight() {
    return sampleTxInFlight;
  }

  /** rs.lost: bytes lost between the sample's packet leaving and now. */
  public long sampleLost() {
    return sampleLost;
  }

  /** The smallest RTT sample so far (Long.MAX_VALUE before any). */
  public long minRtt() {
    return minRtt;
  }
}
