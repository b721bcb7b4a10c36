package io.p2pnode.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.IntSupplier;
import io.p2pnode.time.Clock;

/**
 * Netty's select strategy for an event loop that busy-polls: for {@code spinNanos} after the loop
 * last had work (datagrams, tasks, or a wake-up from a blocking wait) it asks epoll without
 * blocking; once that much time has passed with nothing to do, it blocks as Netty's default does.
 *
 * <p>Why: on a virtual machine a thread that blocks costs its wake-up in the host (the idle vCPU
 * halts, and the next datagram has to wake it). On this 2-core VM that is about 45 µs per side of a
 * request/reply, three quarters of a loopback round trip; two nodes that busy-poll answer each
 * other in about 21 µs instead of 119 (docs/benchmark-history.md). The price is CPU: a loop that
 * had work keeps its core busy for up to {@code spinNanos} more. Measured at 50 µs, three nodes in
 * one JVM with one {@code p2p.send} a millisecond: their loops used 19.7 % of a core against 13.8 %
 * without polling; with one request a millisecond, 19-22 % either way. An idle node does not spin
 * at all.
 *
 * <p>Each empty poll yields the core ({@code sched_yield}): where threads share cores (two
 * processes unpinned on this 2-core machine), a peer's thread woken on this core runs at once
 * instead of waiting for the scheduler to preempt the poller. Measured unpinned here: the
 * clustered event bus's request/reply read 282-301 µs with a bare spin, 44-141 µs with the yield
 * (docs/benchmark-history.md, runs 20-22).
 *
 * <pre>
 *   POLLING --(nothing to do for spinNanos)--> BLOCKED --(epoll_wait returns)--> POLLING
 * </pre>
 *
 * One instance per event loop; called only on that loop.
 */
public final class BusyPollStrategy implements SelectStrategy {
  /** Where the loop stands. */
  public enum State {
    /** The loop had work within {@code spinNanos}: it polls without blocking. */
    POLLING,
    /** The loop went to block in {@code epoll_wait}; the next call means it woke up. */
    BLOCKED
  }

  private final long spinNanos;
  private final Clock clock;
  private State state = State.POLLING;
  private long lastWork;

  /**
   * @param spinNanos how long the loop keeps polling after its last work; &gt; 0
   * @param clock     the loop's clock
   */
  public BusyPollStrategy(long spinNanos, Clock clock) {
    if (spinNanos <= 0) throw new IllegalArgumentException("spinNanos must be > 0, got " + spinNanos);
    this.spinNanos = spinNanos;
    this.clock = clock;
    this.lastWork = clock.nanoTime();
  }

  /**
   * Netty's epoll I/O handler with a strategy of this kind on each loop, polling {@code micros} after work.
   *
   * @throws IllegalArgumentException when {@code micros} is not positive
   */
  public static IoHandlerFactory epollHandlers(long micros) {
    if (micros <= 0) throw new IllegalArgumentException("busy-poll micros must be > 0, got " + micros);
    return EpollIoHandler.newFactory(0, () -> new BusyPollStrategy(micros * 1_000L, Clock.SYSTEM));
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    long now = clock.nanoTime();
    if (state == State.BLOCKED) { // epoll_wait returned: a datagram, a task or a timer woke the loop
      state = State.POLLING;
      lastWork = now;
    }
    int ready = selectNow.get();
    if (ready > 0 || hasTasks) {
      lastWork = now;
      return ready;
    }
    if (now - lastWork < spinNanos) {
      Thread.yield(); // a thread of this process that waits for this core runs first
      return 0; // run the tasks that came due, then poll again
    }
    state = State.BLOCKED;
    return SelectStrategy.SELECT;
  }

  /** For tests. */
  public State state() {
    return state;
  }
}
