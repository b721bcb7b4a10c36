package io.p2pnode.congestion;

import io.vertx.core.json.JsonObject;

import java.util.Random;

/**
 * How fast a session may send. The sender calls the event methods in this order per ACK frame:
 * {@link #onPacketAcked} for each newly acknowledged packet, {@link #onPacketLost} for each packet
 * declared lost, {@link #onCongestionEvent} once if any was, then {@link #onAck}; and
 * {@link #onPacketSent} for every packet that counts in flight. It asks {@link #cwnd} (bytes it
 * may have in flight), {@link #pacingRate} and {@link #sendQuantum} (how the {@link Pacer} spaces
 * datagrams). Single-threaded, on the session's loop; times in nanoseconds of the injected clock.
 */
public interface CongestionController {
  /** Names for {@code session.congestion}. */
  String BBR = "bbr";
  String NEWRENO = "newreno";

  /**
   * A controller by its configured name.
   *
   * @param mtu     the largest datagram (windows count in it)
   * @param sampler the sender's delivery-rate sampler
   * @param random  randomness of probe timing (seeded in tests)
   */
  static CongestionController of(String name, int mtu, RateSampler sampler, Random random, long now) {
    return switch (name) {
      case BBR -> new Bbr(mtu, sampler, random, now);
      case NEWRENO -> new NewReno(mtu);
      default -> throw new IllegalArgumentException("unknown congestion controller " + name + " (bbr or newreno)");
    };
  }

  /** A packet that counts in flight left. */
  void onPacketSent(long pn, int bytes, long bytesInFlight, long now);

  /** A packet was newly acknowledged. */
  void onPacketAcked(long pn, int bytes, long now);

  /** A packet was declared lost. */
  void onPacketLost(long pn, RateSampler.PacketState packet, long now);

  /**
   * Packets were declared lost during one ACK's processing.
   *
   * @param largestLostPn the newest lost packet
   * @param largestSentPn the newest packet sent so far (a recovery period lasts until it is acknowledged)
   */
  void onCongestionEvent(long largestLostPn, long largestSentPn, long now);

  /** The ACK frame was processed. */
  void onAck(AckEvent ack, long now);

  /** The path changed: start over. */
  void reset(long now);

  /**
   * The path's smoothed RTT, known before this controller's first own sample (from the handshake or
   * keepalives): given once, before the first packet of a flow (after a {@link #reset} too).
   */
  default void onPathRtt(long srttNanos) {
  }

  /** Bytes the sender may have in flight. */
  long cwnd();

  /** Bytes per second the pacer lets out, 0 for no pacing. */
  long pacingRate();

  /** The most bytes the pacer lets out in one burst. */
  long sendQuantum();

  /** Controller name, state and model for {@code p2p.peers}. */
  JsonObject toJson();
}
