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
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder messagesIn = new LongAdder();
  private final LongAdder messagesOut = new LongAdder();
  private final LongAdder relayForwardedBytes = new LongAdder();

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

  /** A node frame of {@code bytes} (UDP payload or TCP frame) that passed the header check. */
  public void frameIn(int bytes) {
    framesIn.increment();
    bytesIn.add(bytes);
  }

  /** A node frame of {@code bytes} handed to a socket. */
  public void frameOut(int bytes) {
    framesOut.increment();
    bytesOut.add(bytes);
  }

  /** An application message from a peer handed to a consumer here. */
  public void messageIn() {
    messagesIn.increment();
  }

  /** An application message given to {@code p2p.send} or {@code p2p.request} here. */
  public void messageOut() {
    messagesOut.increment();
  }

  public long framesInTotal() { return framesIn.sum(); }
  public long framesOutTotal() { return framesOut.sum(); }
  public long bytesInTotal() { return bytesIn.sum(); }
  public long bytesOutTotal() { return bytesOut.sum(); }
  public long messagesInTotal() { return messagesIn.sum(); }
  public long messagesOutTotal() { return messagesOut.sum(); }
  public long stunAnsweredTotal() { return stunAnswered.sum(); }
  public long relayedInTotal() { return relayedIn.sum(); }
  public long relayForwardedTotal() { return relayForwarded.sum(); }
  public long relayForwardedBytesTotal() { return relayForwardedBytes.sum(); }

  /** A frame that reached this node through a coordinator. */
  public void relayedIn() {
    relayedIn.increment();
  }

  /** A frame of {@code bytes} this coordinator forwarded for a peer. */
  public void relayForwarded(int bytes) {
    relayForwarded.increment();
    relayForwardedBytes.add(bytes);
  }

  /** An unexpected exception or error contained to the session it happened in (the session was closed). */
  public void fault() {
    faults.increment();
  }

  public long faults() {
    return faults.sum();
  }

  /**
   * {@code {"framesIn","framesOut","stunAnswered","relayedIn","relayForwarded","relayForwardedBytes","bytesIn","bytesOut",
   * "messagesIn","messagesOut","faults","drops":{reason: n}}}, zero drops left out.
   */
  public JsonObject toJson() {
    JsonObject d = new JsonObject();
    for (Drop r : Drop.values()) {
      long n = drops(r);
      if (n != 0) d.put(r.name(), n);
    }
    return new JsonObject().put("framesIn", framesIn.sum()).put("framesOut", framesOut.sum())
      .put("stunAnswered", stunAnswered.sum()).put("relayedIn", relayedIn.sum())
      .put("relayForwarded", relayForwarded.sum()).put("relayForwardedBytes", relayForwardedBytes.sum()).put("bytesIn", bytesIn.sum())
      .put("bytesOut", bytesOut.sum()).put("messagesIn", messagesIn.sum()).put("messagesOut", messagesOut.sum())
      .put("faults", faults.sum()).put("drops", d);
  }
}
