package io.p2pnode.congestion;

import io.vertx.core.json.JsonObject;

/**
 * NewReno (RFC 9002 §7 flavour): slow start from 10 packets, the window halves once per loss episode
 * (an episode lasts until a packet sent after it is acknowledged), additive increase of one packet per
 * window after. No pacing beyond a burst of the window's size per RTT: {@link #pacingRate} is 0.
 */
public final class NewReno implements CongestionController {
  /** RFC 9002's initial window: 10 datagrams. */
  static final double INITIAL_WINDOW_PACKETS = 10;

  private final int mtu;
  private double cwnd;
  private double ssthresh = Double.MAX_VALUE;
  private long recoveryStartPn = -1;
  private long congestionEvents;

  public NewReno(int mtu) {
    this.mtu = mtu;
    this.cwnd = INITIAL_WINDOW_PACKETS * mtu;
  }

  @Override
  public void onPacketSent(long pn, int bytes, long bytesInFlight, long now) {
  }

  @Override
  public void onPacketAcked(long pn, int bytes, long now) {
    if (pn <= recoveryStartPn) return; // no growth for packets sent before the loss episode ended
    if (cwnd < ssthresh) cwnd += bytes;
    else cwnd += (double) mtu * bytes / cwnd;
  }

  @Override
  public void onPacketLost(long pn, RateSampler.PacketState packet, long now) {
  }

  @Override
  public void onCongestionEvent(long largestLostPn, long largestSentPn, long now) {
    if (largestLostPn <= recoveryStartPn) return;
    congestionEvents++;
    ssthresh = Math.max(cwnd / 2, 2.0 * mtu);
    cwnd = ssthresh;
    recoveryStartPn = largestSentPn;
  }

  @Override
  public void onAck(AckEvent ack, long now) {
  }

  @Override
  public void reset(long now) {
    cwnd = INITIAL_WINDOW_PACKETS * mtu;
    ssthresh = Double.MAX_VALUE;
  }

  @Override
  public long cwnd() {
    return (long) cwnd;
  }

  @Override
  public long pacingRate() {
    return 0;
  }

  @Override
  public long sendQuantum() {
    return Long.MAX_VALUE;
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put("controller", NEWRENO).put("state", cwnd < ssthresh ? "slow-start" : "congestion-avoidance")
      .put("cwndBytes", (long) cwnd).put("congestionEvents", congestionEvents);
  }
}
