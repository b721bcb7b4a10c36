package io.p2pnode.congestion;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The delivery-rate sampler of draft-ietf-ccwg-bbr §4.5 on hand-made timelines. */
class RateSamplerTest {
  static final long MS = 1_000_000L;

  @Test
  void steadyFlowSamplesItsRate() {
    RateSampler r = new RateSampler();
    List<RateSampler.PacketState> sent = new ArrayList<>();
    long inFlight = 0;
    for (int i = 0; i < 100; i++) { // one 1000-byte packet per ms, each acknowledged 40 ms after it left
      long now = i * MS;
      if (i >= 40) {
        r.beginAck();
        r.onAcked(sent.get(i - 40), now);
        inFlight -= 1000;
        r.endAck(40 * MS);
      }
      inFlight += 1000;
      sent.add(r.onSent(now, 1000, inFlight));
    }
    assertEquals(1_000_000, r.deliveryRate(), 30_000); // 1000 bytes per ms
    assertEquals(60_000, r.delivered());
    assertFalse(r.sampleAppLimited());
  }

  @Test
  void compressedAcksDoNotInflateTheRate() {
    RateSampler r = new RateSampler();
    RateSampler.PacketState a = r.onSent(0, 1000, 1000);
    RateSampler.PacketState b = r.onSent(10 * MS, 1000, 2000);
    r.beginAck();
    r.onAcked(a, 40 * MS);
    r.endAck(40 * MS);
    r.beginAck();
    r.onAcked(b, 40 * MS + 1000); // both ACKs arrive together: the send interval (10 ms) bounds the rate
    r.endAck(30 * MS);
    assertTrue(r.deliveryRate() <= 100_000 + 1, "rate " + r.deliveryRate());
  }

  @Test
  void appLimitedSamplesAreMarkedUntilTheFlightIsDelivered() {
    RateSampler r = new RateSampler();
    RateSampler.PacketState a = r.onSent(0, 1000, 1000);
    r.markAppLimited(1000);
    RateSampler.PacketState b = r.onSent(MS, 1000, 2000);
    assertTrue(b.appLimited());
    r.beginAck();
    r.onAcked(a, 40 * MS);
    r.endAck(40 * MS);
    assertTrue(r.appLimited());
    r.beginAck();
    r.onAcked(b, 41 * MS);
    r.endAck(40 * MS);
    assertTrue(r.sampleAppLimited());
    assertFalse(r.appLimited()); // everything in flight when it was marked is delivered
  }

  @Test
  void lossBetweenSendAndAckIsInTheSample() {
    RateSampler r = new RateSampler();
    RateSampler.PacketState a = r.onSent(0, 1000, 1000);
    r.onSent(MS, 1000, 2000);
    r.onLost(1000);
    r.beginAck();
    r.onAcked(a, 40 * MS);
    r.endAck(40 * MS);
    assertEquals(1000, r.sampleLost());
    assertEquals(1000, r.sampleTxInFlight());
  }
}
