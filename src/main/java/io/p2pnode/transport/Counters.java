package io.p2pnode.transport;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters, written from any event loop and read by {@code p2p.status}. LongAdder cells
 * keep concurrent increments from different cores off one cache line.
 */
public final class Counters {
  private final LongAdder[] drops = new LongAdder[Drop.values().length];
  private final LongAdder stunAnswered = new LongAdder();
  private final LongAdder framesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder relayedIn = new LongAdder();
  private final LongAdder relayForwarded = new LongAdder();
  private final LongAdder faults = new LongAdder();

  public Counters() {
    for (int i = 0; i < drops.length; i++) drops[i] = new LongAdder();
  }

  public void drop(Drop reason) {
    drops[reason.ordinal()].increment();
  }

  public long drops(Drop reason) {
    return drops[reason.ordinal()].sum();
  }

  public void stunAnswered() {
    stunAnswered.increment();
  }

  public void frameIn() {
    framesIn.increment();
  }

  public void frameOut() {
    framesOut.increment();
  }

  /** A frame that reached this node through a coordinator. */
  public void relayedIn() {
    relayedIn.increment();
  }

  /** A frame this coordinator forwarded for a peer. */
  public void relayForwarded() {
    relayForwarded.increment();
  }

  /** An unexpected exception or error contained to the session it happened in (the session was closed). */
  public void fault() {
    faults.increment();
  }

  public long faults() {
    return faults.sum();
  }

  /** {@code {"framesIn","framesOut","stunAnswered","relayedIn","relayForwarded","faults","drops":{reason: n}}}, zero drops left out. */
  public JsonObject toJson() {
    JsonObject d = new JsonObject();
    for (Drop r : Drop.values()) {
      long n = drops(r);
      if (n != 0) d.put(r.name(), n);
    }
    return new JsonObject().put("framesIn", framesIn.sum()).put("framesOut", framesOut.sum())
      .put("stunAnswered", stunAnswered.sum()).put("relayedIn", relayedIn.sum())
      .put("relayForwarded", relayForwarded.sum()).put("faults", faults.sum()).put("drops", d);
  }
}
