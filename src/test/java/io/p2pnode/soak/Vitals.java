package io.p2pnode.soak;

import io.netty.util.internal.PlatformDependent;

import java.io.File;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/** One sample of a JVM's vitals: heap after a collection, direct memory, threads, open file descriptors. */
record Vitals(long heapBytes, long directBytes, int threads, int fds) {
  /** This process, after a full collection (so heap is what is live). */
  static Vitals sample() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long direct = Math.max(0, PlatformDependent.usedDirectMemory());
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) direct += pool.getMemoryUsed();
    }
    String[] fd = new File("/proc/self/fd").list();
    return new Vitals(rt.totalMemory() - rt.freeMemory(), direct, ManagementFactory.getThreadMXBean().getThreadCount(),
      fd == null ? -1 : fd.length);
  }

  /** Whether {@code later} stays within bounds of this baseline: what a leak would break over a long run. */
  String leakAgainst(Vitals later) {
    if (later.heapBytes > heapBytes * 2 + 96L * 1024 * 1024) return "heap grew from " + mb(heapBytes) + " to " + mb(later.heapBytes);
    if (later.directBytes > directBytes * 2 + 64L * 1024 * 1024) {
      return "direct memory grew from " + mb(directBytes) + " to " + mb(later.directBytes);
    }
    if (later.threads > threads + 16) return "threads grew from " + threads + " to " + later.threads;
    if (fds >= 0 && later.fds > fds + 32) return "file descriptors grew from " + fds + " to " + later.fds;
    return null;
  }

  static String mb(long bytes) {
    return String.format("%.1f MB", bytes / 1048576.0);
  }

  @Override
  public String toString() {
    return "heap " + mb(heapBytes) + ", direct " + mb(directBytes) + ", threads " + threads + ", fds " + fds;
  }
}
