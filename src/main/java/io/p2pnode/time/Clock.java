package io.p2pnode.time;

/** Monotonic time, injected so state machines run on a manual clock in tests. */
@FunctionalInterface
public interface Clock {
  /** The system's monotonic clock. */
  Clock SYSTEM = System::nanoTime;

  /** Monotonic nanoseconds; only differences are meaningful. */
  long nanoTime();

  /** Monotonic milliseconds. */
  default long millis() {
    return nanoTime() / 1_000_000L;
  }
}
