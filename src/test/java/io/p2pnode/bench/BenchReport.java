package io.p2pnode.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The tables {@link Benchmark} prints: per pinning, each size's throughput (per window) and RTT
 * for raw UDP, the event bus and p2p-node with the ratios p2p/event bus and p2p/raw; then the
 * costs per message (heap allocated on each side, body copies implied, lost sends,
 * retransmissions).
 */
final class BenchReport {
  private static final String RAW = BenchDriver.RAW;
  private static final String EB = BenchDriver.EB;
  private static final String P2P = BenchDriver.P2P;

  private final List<Figure> figures;
  private final List<Integer> sizes;
  private final List<Integer> windows;
  private final PrintStream out;

  BenchReport(List<Figure> figures, List<Integer> sizes, List<Integer> windows, PrintStream out) {
    this.figures = figures;
    this.sizes = sizes;
    this.windows = windows;
    this.out = out;
  }

  void print(List<Boolean> pins) {
    for (boolean pinned : pins) {
      out.println();
      out.println(pinned ? "PINNED: each process on one core (taskset -c 0 driver, -c 1 peer)" : "UNPINNED: both processes share both cores");
      out.printf("%-36s %12s %12s %12s %8s %8s%n", "measure", RAW, EB, P2P, "p2p/eb", "p2p/raw");
      for (int size : sizes) {
        for (int w : windows) {
          row(size(size) + " msg/s, " + w + " in flight", find(RAW, Figure.THROUGHPUT, size, null, pinned),
            find(EB, Figure.THROUGHPUT, size, w, pinned), find(P2P, Figure.THROUGHPUT, size, w, pinned), "%,12.0f");
        }
        if (size >= 4096) {
          for (int w : windows) {
            row(size(size) + " MB/s, " + w + " in flight", mb(find(RAW, Figure.THROUGHPUT, size, null, pinned), size),
              mb(find(EB, Figure.THROUGHPUT, size, w, pinned), size), mb(find(P2P, Figure.THROUGHPUT, size, w, pinned), size), "%12.1f");
          }
        }
        row(size(size) + " RTT p50 (us)", find(RAW, Figure.RTT_P50, size, 1, pinned), find(EB, Figure.RTT_P50, size, 1, pinned),
          find(P2P, Figure.RTT_P50, size, 1, pinned), "%12.1f");
        row(size(size) + " RTT p99 (us)", find(RAW, Figure.RTT_P99, size, 1, pinned), find(EB, Figure.RTT_P99, size, 1, pinned),
          find(P2P, Figure.RTT_P99, size, 1, pinned), "%12.1f");
        Figure p50 = find(P2P, Figure.RTT_P50_PAIRED_RAW, size, 1, pinned);
        if (p50 != null) { // raw ping-pongs timed alternately with p2p-node's requests, in the p2p column's minutes
          row(size(size) + " RTT p50 raw, paired (us)", null, null, p50, "%12.1f", false);
          row(size(size) + " RTT p99 raw, paired (us)", null, null, find(P2P, Figure.RTT_P99_PAIRED_RAW, size, 1, pinned), "%12.1f", false);
        }
        Figure polled = find(P2P, Figure.RTT_P50_PAIRED_RAW_BUSYPOLL, size, 1, pinned);
        if (polled != null) { // the same, both raw loops busy-polling as the node's do
          row(size(size) + " RTT p50 raw busy-poll, paired (us)", null, null, polled, "%12.1f", false);
          row(size(size) + " RTT p99 raw busy-poll, paired (us)", null, null, find(P2P, Figure.RTT_P99_PAIRED_RAW_BUSYPOLL, size, 1, pinned),
            "%12.1f", false);
        }
      }
      costs(pinned);
      file(pinned);
      targets(pinned);
    }
    out.println();
    out.println("raw = Netty epoll UDP blast (datagrams the receiver counted; 64 KB = 65 507 B datagrams, rate scaled by bytes)"
      + " and ping-pong;");
    out.println("vertx-eb = Vert.x clustered event bus (Hazelcast, tcp-ip join on 127.0.0.1, two JVMs); p2p-node = default config"
      + " (encrypted, reliable);");
    out.println("both driven alike: fire-and-forget send, every " + BusLoad.CREDIT_EVERY
      + "th a request whose reply is the credit; RTT = request/reply, one at a time.");
    out.println("FAILED = the measurement failed (crash, stall, error reply): see the list below.");
  }

  /** Allocation per message on each side, body copies implied, lost sends and p2p retransmissions. */
  private void costs(boolean pinned) {
    out.printf("%-36s %12s %12s %12s%n", "per message, " + windows.get(0) + " in flight", RAW, EB, P2P);
    int w = windows.get(0);
    for (int size : sizes) {
      for (String metric : List.of(Figure.ALLOC_SENDER, Figure.ALLOC_RECEIVER)) {
        String side = metric.equals(Figure.ALLOC_SENDER) ? "sender" : "receiver";
        row(size(size) + " heap B/msg, " + side, find(RAW, metric, size, null, pinned), find(EB, metric, size, w, pinned),
          find(P2P, metric, size, w, pinned), "%,12.0f", false);
      }
    }
    int small = sizes.get(0);
    int big = sizes.get(sizes.size() - 1);
    if (big > small) {
      for (String metric : List.of(Figure.ALLOC_SENDER, Figure.ALLOC_RECEIVER)) {
        String side = metric.equals(Figure.ALLOC_SENDER) ? "sender" : "receiver";
        row("body copies (heap), " + side, copies(RAW, metric, small, big, null, pinned), copies(EB, metric, small, big, w, pinned),
          copies(P2P, metric, small, big, w, pinned), "%12.2f", false);
      }
      out.printf("  (body copies = (heap B/msg at %s - at %s) / (%d - %d): the body-sized heap allocations a message costs;"
        + " copies into pooled direct buffers do not show)%n", size(big), size(small), big, small);
    }
    for (int win : windows) {
      for (int size : sizes) {
        Figure l = find(P2P, Figure.LOST, size, win, pinned);
        Figure r = find(P2P, Figure.RETRANSMITTED, size, win, pinned);
        if (l != null || r != null) {
          out.printf(Locale.ROOT, "p2p-node %s, %d in flight: %s sends lost, %s chunks retransmitted on loopback (0 expected)%n",
            size(size), win, count(l), count(r));
        }
      }
    }
  }

  /** The file piped through a byte stream against 64 KB {@code p2p.send} in bytes/s (issue #15), and the heaps after it. */
  private void file(boolean pinned) {
    Figure f = find(P2P, Figure.FILE_THROUGHPUT, 65536, null, pinned);
    if (f == null) return;
    if (!f.ok()) {
      out.println("p2p-node file through a byte stream: FAILED");
      return;
    }
    int w = windows.get(0);
    Figure send = mb(find(P2P, Figure.THROUGHPUT, 65536, w, pinned), 65536);
    Figure rx = find(P2P, Figure.FILE_HEAP_RECEIVER, 65536, null, pinned);
    Figure tx = find(P2P, Figure.FILE_HEAP_SENDER, 65536, null, pinned);
    out.printf(Locale.ROOT, "p2p-node file piped file to file through a byte stream: %.1f MB/s; heap after GC once it arrived:"
      + " receiver %s, sender %s; receiver CPU %s%n", f.value(), mib(rx), mib(tx), cpu(find(P2P, Figure.FILE_CPU_RECEIVER, 65536, null, pinned)));
    target("file via stream / 64 KB p2p.send >= 0.8 (#15), " + w + " in flight", send == null || !send.ok() ? Double.NaN
      : f.value() / send.value(), 0.8, true);
    Figure sf = find(P2P, Figure.SENDFILE_THROUGHPUT, 65536, null, pinned);
    if (sf == null || !sf.ok()) return;
    out.printf(Locale.ROOT, "p2p-node the same file by P2pWriteStream.sendFile into P2pReadStream.streamToFileSystem: %.1f MB/s;"
      + " receiver CPU %s%n", sf.value(), cpu(find(P2P, Figure.SENDFILE_CPU_RECEIVER, 65536, null, pinned)));
    out.printf(Locale.ROOT, "  file via sendFile+streamToFileSystem / 64 KB p2p.send of the throughput table: %.2f%n",
      send == null || !send.ok() ? Double.NaN : sf.value() / send.value());
    Figure paired = find(P2P, Figure.SENDFILE_PAIRED_SEND, 65536, w, pinned);
    if (paired != null && paired.ok()) {
      out.printf(Locale.ROOT, "  64 KB p2p.send in stretches alternating with the transfers: %.1f MB/s%n", paired.value());
    }
    target("file via sendFile+streamToFileSystem / 64 KB p2p.send alternating (#15), " + w + " in flight",
      paired == null || !paired.ok() ? Double.NaN : sf.value() / paired.value(), 0.8, true);
    Figure dropped = find(P2P, Figure.SENDFILE_DROPPED_THROUGHPUT, 65536, null, pinned);
    Figure local = find(P2P, Figure.LOCAL_FILE_WRITE, 65536, null, pinned);
    if (dropped != null && dropped.ok() && paired != null && paired.ok()) {
      out.printf(Locale.ROOT, "  the same by sendFile into a reader that drops the bytes: %.1f MB/s, %.2f x alternating p2p.send (the stream without the file)%n",
        dropped.value(), dropped.value() / paired.value());
    }
    Figure direct = find(P2P, Figure.SENDFILE_DIRECT_THROUGHPUT, 65536, null, pinned);
    if (direct != null && direct.ok() && paired != null && paired.ok()) {
      out.printf(Locale.ROOT, "  the same into streamToFileSystem(path, true), direct I/O past the page cache: %.1f MB/s, %.2f x alternating p2p.send;"
        + " receiver CPU %s%n", direct.value(), direct.value() / paired.value(), cpu(find(P2P, Figure.SENDFILE_DIRECT_CPU_RECEIVER, 65536, null, pinned)));
    }
    if (local != null && local.ok()) {
      out.printf(Locale.ROOT, "  the receiving process writing as many bytes into a new file of its own, into pages just freed: %.1f MB/s%n", local.value());
    }
  }

  private static String cpu(Figure f) {
    return f == null || !f.ok() ? "?" : String.format(Locale.ROOT, "%.2f s per GiB", f.value());
  }

  private static String mib(Figure f) {
    return f == null || !f.ok() ? "?" : String.format(Locale.ROOT, "%.1f MiB", f.value() / (1 << 20));
  }

  private static String count(Figure f) {
    return f == null || !f.ok() ? "?" : String.format(Locale.ROOT, "%.0f", f.value());
  }

  /** Issue #13's targets, each with the measured ratio: met, NOT met, or "-" when a figure is missing. */
  private void targets(boolean pinned) {
    out.println("targets (issue #13), " + (pinned ? "pinned" : "unpinned") + ":");
    for (int w : windows) {
      target("1 KB throughput p2p/eb >= 1.0, " + w + " in flight", ratio(P2P, EB, Figure.THROUGHPUT, 1024, w, w, pinned), 1.0, true);
      target("1 KB throughput p2p/raw >= 0.5, " + w + " in flight", ratio(P2P, RAW, Figure.THROUGHPUT, 1024, w, null, pinned), 0.5, true);
      target("64 B throughput p2p/raw >= 3, " + w + " in flight", ratio(P2P, RAW, Figure.THROUGHPUT, 64, w, null, pinned), 3.0, true);
      target("64 KB bytes/s p2p/raw >= 0.5, " + w + " in flight", ratio(P2P, RAW, Figure.THROUGHPUT, 65536, w, null, pinned), 0.5, true);
    }
    Figure seal = find(P2P, Figure.SEAL_THROUGHPUT, 65536, null, pinned);
    Figure raw = mb(find(RAW, Figure.THROUGHPUT, 65536, null, pinned), 65536);
    if (seal != null && seal.ok() && raw != null && raw.ok()) {
      out.printf(Locale.ROOT, "  (64 KB ceiling: AES-256-GCM seals %.0f MB/s alone on the sender's core, %.2f x raw; the receiver opens as"
        + " much: p2p's 64 KB ratio cannot pass that)%n", seal.value(), seal.value() / raw.value());
    }
    for (int size : new int[] {64, 1024}) {
      // against the raw ping-pongs timed in the same minutes when the driver paired them
      boolean paired = find(P2P, Figure.RTT_P50_PAIRED_RAW, size, 1, pinned) != null;
      String how = paired ? " (paired)" : "";
      target(size(size) + " RTT p50 p2p/raw <= 1.3" + how, paired ? ratio(P2P, Figure.RTT_P50, Figure.RTT_P50_PAIRED_RAW, size, pinned)
        : ratio(P2P, RAW, Figure.RTT_P50, size, 1, 1, pinned), 1.3, false);
      target(size(size) + " RTT p99 p2p/raw <= 2" + how, paired ? ratio(P2P, Figure.RTT_P99, Figure.RTT_P99_PAIRED_RAW, size, pinned)
        : ratio(P2P, RAW, Figure.RTT_P99, size, 1, 1, pinned), 2.0, false);
      if (find(P2P, Figure.RTT_P50_PAIRED_RAW_BUSYPOLL, size, 1, pinned) == null) continue;
      // not the baseline: p2p-node against raw Netty that busy-polls alike, i.e. the node's own cost
      target(size(size) + " RTT p50 p2p/raw busy-poll <= 1.3 (paired)",
        ratio(P2P, Figure.RTT_P50, Figure.RTT_P50_PAIRED_RAW_BUSYPOLL, size, pinned), 1.3, false);
      target(size(size) + " RTT p99 p2p/raw busy-poll <= 2 (paired)",
        ratio(P2P, Figure.RTT_P99, Figure.RTT_P99_PAIRED_RAW_BUSYPOLL, size, pinned), 2.0, false);
    }
  }

  /** {@code system}'s {@code metric} over its {@code baseline} metric, both RTT figures (window 1). */
  private double ratio(String system, String metric, String baseline, int size, boolean pinned) {
    return quotient(find(system, metric, size, 1, pinned), find(system, baseline, size, 1, pinned));
  }

  private double ratio(String a, String b, String metric, int size, Integer windowA, Integer windowB, boolean pinned) {
    return quotient(find(a, metric, size, windowA, pinned), find(b, metric, size, windowB, pinned));
  }

  /** {@code x / y}, or NaN when either figure is missing or failed. */
  private static double quotient(Figure x, Figure y) {
    return x == null || y == null || !x.ok() || !y.ok() ? Double.NaN : x.value() / y.value();
  }

  private void target(String what, double ratio, double bound, boolean atLeast) {
    if (Double.isNaN(ratio)) {
      out.printf("  %-48s %8s%n", what, "-");
      return;
    }
    boolean met = atLeast ? ratio >= bound : ratio <= bound;
    out.printf(Locale.ROOT, "  %-48s %8.2f  %s%n", what, ratio, met ? "met" : "NOT met");
  }

  private Figure copies(String system, String metric, int small, int big, Integer w, boolean pinned) {
    Figure a = find(system, metric, small, w, pinned);
    Figure b = find(system, metric, big, w, pinned);
    if (a == null || b == null || !a.ok() || !b.ok()) return null;
    return Figure.of(system, "copies", big, w, pinned, (b.value() - a.value()) / (big - small), "");
  }

  private Figure find(String system, String metric, int size, Integer window, boolean pinned) {
    return figures.stream().filter(f -> f.system().equals(system) && f.metric().equals(metric) && f.size() == size
      && Objects.equals(f.window(), window) && f.pinned() == pinned).reduce((a, b) -> b).orElse(null);
  }

  private static Figure mb(Figure f, int size) {
    return f == null || !f.ok() ? f : Figure.of(f.system(), f.metric(), f.size(), f.window(), f.pinned(), f.value() * size / 1e6, "MB/s");
  }

  private void row(String name, Figure raw, Figure eb, Figure p2p, String format) {
    row(name, raw, eb, p2p, format, true);
  }

  private void row(String name, Figure raw, Figure eb, Figure p2p, String format, boolean ratios) {
    StringBuilder b = new StringBuilder(String.format("%-36s", name));
    for (Figure f : new Figure[] {raw, eb, p2p}) {
      b.append(' ').append(f == null ? String.format("%12s", "-") : f.ok() ? String.format(Locale.ROOT, format, f.value())
        : String.format("%12s", "FAILED"));
    }
    if (ratios) b.append(ratio(p2p, eb)).append(ratio(p2p, raw));
    out.println(b);
  }

  private static String ratio(Figure a, Figure b) {
    double q = quotient(a, b);
    return Double.isNaN(q) ? String.format("%9s", "-") : String.format(Locale.ROOT, " %8.2f", q);
  }

  private static String size(int bytes) {
    return bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " B";
  }
}
