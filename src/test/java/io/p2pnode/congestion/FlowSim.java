package io.p2pnode.congestion;

import io.p2pnode.time.ManualScheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One bulk sender with a {@link CongestionController}, {@link RateSampler} and {@link Pacer} over a
 * {@link Bottleneck}, on a {@link ManualScheduler} ticking every millisecond. The receiver
 * acknowledges every packet at once; ACKs come back after the one-way delay. Loss detection as in the
 * session's sender (3 packets or 9/8 RTT). Records delivered bytes and RTT samples per interval.
 */
final class FlowSim {
  static final int MTU = 1200;

  private record Sent(long pn, int bytes, long sentAt, RateSampler.PacketState rate) {
  }

  final ManualScheduler clock = new ManualScheduler();
  final Bottleneck path;
  final RateSampler sampler = new RateSampler();
  final CongestionController cc;
  final Pacer pacer = new Pacer();
  private final TreeMap<Long, Sent> inFlight = new TreeMap<>();
  private final ArrayDeque<long[]> acksOnTheWay = new ArrayDeque<>(); // (arrives at, pn)
  private long bytesInFlight;
  private long nextPn;
  private long largestAcked = -1;
  private long srtt = -1;
  private long lastAckAt;
  long deliveredBytes;
  long lostPackets;
  final List<Long> rttSamples = new ArrayList<>();

  FlowSim(String controller, Bottleneck path) {
    this.path = path;
    this.cc = CongestionController.of(controller, MTU, sampler, new Random(1), now());
  }

  long now() {
    return clock.clock().nanoTime();
  }

  /** Runs the flow for {@code ms} milliseconds. */
  void run(long ms) {
    for (long i = 0; i < ms; i++) {
      clock.advance(1);
      long now = now();
      path.deliverUntil(now, p -> acksOnTheWay.add(new long[] {now + path.oneWayDelayNanos, p.pn()}));
      List<Long> acked = new ArrayList<>();
      while (!acksOnTheWay.isEmpty() && acksOnTheWay.peek()[0] <= now) acked.add(acksOnTheWay.poll()[1]);
      if (!acked.isEmpty()) {
        lastAckAt = now;
        onAck(acked, now);
      } else if (!inFlight.isEmpty() && now - lastAckAt > Math.max(3 * srtt, 200_000_000L)) {
        probeTimeout(now);
      }
      send(now);
    }
  }

  /** Bytes delivered during the next {@code ms} (bytes per second). */
  double rateOver(long ms) {
    long before = deliveredBytes;
    run(ms);
    return (deliveredBytes - before) * 1000.0 / ms;
  }

  private void send(long now) {
    while (bytesInFlight < cc.cwnd() && pacer.canSend(now, cc.pacingRate(), cc.sendQuantum())) {
      long pn = nextPn++;
      bytesInFlight += MTU;
      Sent s = new Sent(pn, MTU, now, sampler.onSent(now, MTU, bytesInFlight));
      inFlight.put(pn, s);
      cc.onPacketSent(pn, MTU, bytesInFlight, now);
      pacer.onSent(MTU, cc.pacingRate());
      path.send(new Bottleneck.Packet(pn, MTU, now), now);
    }
    if (bytesInFlight >= cc.cwnd()) sampler.setCwndLimited(true);
  }

  private void onAck(List<Long> pns, long now) {
    sampler.beginAck();
    long delivered = 0;
    long packetDelivered = 0;
    long newest = -1;
    Sent newestSent = null;
    for (long pn : pns) {
      Sent s = inFlight.remove(pn);
      if (s == null) continue;
      bytesInFlight -= s.bytes();
      sampler.onAcked(s.rate(), now);
      cc.onPacketAcked(pn, s.bytes(), now);
      delivered += s.bytes();
      packetDelivered = Math.max(packetDelivered, s.rate().delivered());
      if (pn > newest) {
        newest = pn;
        newestSent = s;
      }
    }
    long rtt = -1;
    if (newestSent != null) {
      rtt = now - newestSent.sentAt();
      rttSamples.add(rtt);
      srtt = srtt < 0 ? rtt : (7 * srtt + rtt) / 8;
      largestAcked = Math.max(largestAcked, newest);
    }
    deliveredBytes += delivered;
    if (delivered > 0) sampler.endAck(rtt);
    long lostBytes = 0;
    long largestLost = -1;
    long threshold = (long) (1.125 * Math.max(srtt, rtt));
    for (Iterator<Map.Entry<Long, Sent>> it = inFlight.headMap(largestAcked, false).entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Sent> e = it.next();
      if (largestAcked - e.getKey() >= 3 || now - e.getValue().sentAt() >= threshold) {
        it.remove();
        bytesInFlight -= e.getValue().bytes();
        lostBytes += e.getValue().bytes();
        lostPackets++;
        sampler.onLost(e.getValue().bytes());
        cc.onPacketLost(e.getKey(), e.getValue().rate(), now);
        largestLost = e.getKey();
      }
    }
    if (largestLost >= 0) cc.onCongestionEvent(largestLost, nextPn - 1, now);
    cc.onAck(new AckEvent(delivered, lostBytes, packetDelivered, rtt, newest, bytesInFlight), now);
  }

  /** No ACK for a while: the oldest packet is lost, as the session's probe timeout does. */
  private void probeTimeout(long now) {
    lastAckAt = now;
    Map.Entry<Long, Sent> oldest = inFlight.pollFirstEntry();
    bytesInFlight -= oldest.getValue().bytes();
    lostPackets++;
    sampler.onLost(oldest.getValue().bytes());
    cc.onPacketLost(oldest.getKey(), oldest.getValue().rate(), now);
  }

  /** Mean of the RTT samples taken since {@code from} (index into {@link #rttSamples}), in ns. */
  double meanRtt(int from) {
    return rttSamples.subList(from, rttSamples.size()).stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
  }

  /** Median of the RTT samples taken since {@code from} (index into {@link #rttSamples}), in ns. */
  long medianRtt(int from) {
    List<Long> l = new ArrayList<>(rttSamples.subList(from, rttSamples.size()));
    l.sort(null);
    return l.get(l.size() / 2);
  }
}
