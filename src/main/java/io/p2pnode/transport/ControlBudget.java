package io.p2pnode.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the control frames queued between the listeners and the control plane, so a flood of
 * REGISTER/CONNECT/HELLO datagrams becomes counted {@link Drop#OVERLOAD} drops instead of an
 * unbounded event-loop queue. Acquired by the listener, released by the consumer.
 */
public final class ControlBudget {
  /** Enough for bursts of first contacts; a control plane behind by this much is overloaded. */
  public static final int DEFAULT_MAX_QUEUED = 4_096;

  private final AtomicInteger queued = new AtomicInteger();
  private final int max;

  public ControlBudget(int max) {
    this.max = max;
  }

  public boolean tryAcquire() {
    if (queued.incrementAndGet() > max) {
      queued.decrementAndGet();
      return false;
    }
    return true;
  }

  /** A consumer handled a frame that came from the network ({@link InboundControl#via()} set). */
  public void release(InboundControl in) {
    if (in.via() != null) queued.decrementAndGet();
  }

  void release() {
    queued.decrementAndGet();
  }

  /** Frames waiting now. */
  public int queued() {
    return queued.get();
  }
}
