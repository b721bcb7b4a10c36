package io.p2pnode.bench;

import java.lang.management.ManagementFactory;

/**
 * Heap bytes this process has allocated so far, summed over its live threads
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}; JDK 17 has no process-wide
 * total). A thread that ends takes its share with it, so measure between two calls while the
 * same threads (event loops) run.
 */
final class Alloc {
  private static final com.sun.management.ThreadMXBean THREADS =
    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Alloc() {
  }

  static long allocatedBytes() {
    long sum = 0;
    for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
      if (b > 0) sum += b;
    }
    return sum;
  }
}
