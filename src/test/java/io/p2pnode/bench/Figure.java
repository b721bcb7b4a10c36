package io.p2pnode.bench;

import io.vertx.core.json.JsonObject;

/**
 * One measured figure of {@link Benchmark}. The contract metrics ({@code throughput},
 * {@code rtt_p50}, {@code rtt_p99}) are what {@code bench/run.sh --json} prints, one JSON object
 * each: {@code {"system","metric","size","window","pinned","value","unit"}}; the others
 * (allocation, retransmissions, lost sends) only appear in the printed tables.
 *
 * @param window messages in flight; 1 for round trips, {@code null} where there is no window
 *     (the raw UDP blast)
 * @param value  {@code NaN} when the measurement failed; then {@code error} says why
 */
record Figure(String system, String metric, int size, Integer window, boolean pinned, double value, String unit, String error) {
  static final String THROUGHPUT = "throughput";
  static final String RTT_P50 = "rtt_p50";
  static final String RTT_P99 = "rtt_p99";
  /**
   * RTT of raw Netty ping-pong measured by the p2p driver in stretches alternating with its requests
   * (system p2p-node): the baseline the RTT targets compare with, free of the host's drift between
   * the minutes the raw system ran and the minutes p2p-node ran.
   */
  static final String RTT_P50_PAIRED_RAW = "rtt_p50_paired_raw";
  static final String RTT_P99_PAIRED_RAW = "rtt_p99_paired_raw";
  /** As {@link #RTT_P50_PAIRED_RAW}, both raw loops busy-polling as a node's do by default: what busy-polling alone buys. */
  static final String RTT_P50_PAIRED_RAW_BUSYPOLL = "rtt_p50_paired_raw_busypoll";
  static final String RTT_P99_PAIRED_RAW_BUSYPOLL = "rtt_p99_paired_raw_busypoll";
  /** MB/s that AES-256-GCM seals alone on the driver's core (64 KB only): what the cipher leaves of p2p's 64 KB target. */
  static final String SEAL_THROUGHPUT = "seal_throughput";
  /** Heap bytes allocated per message on the sending / receiving process (all threads). */
  static final String ALLOC_SENDER = "alloc_sender";
  static final String ALLOC_RECEIVER = "alloc_receiver";
  /** Chunks the p2p sender retransmitted during a throughput run (loopback loses nothing: 0 expected). */
  static final String RETRANSMITTED = "retransmitted";
  /** Fire-and-forget sends the receiver never counted (reliable: 0 expected). */
  static final String LOST = "lost";
  /** A file piped through a byte stream, file to file (size = the stream's chunk, no window), MB/s. */
  static final String FILE_THROUGHPUT = "file_throughput";
  /** The same file sent with {@code P2pWriteStream.sendFile}, written by {@code P2pReadStream.streamToFileSystem}, MB/s. */
  static final String SENDFILE_THROUGHPUT = "sendfile_throughput";
  /** Heap in use after a GC once the file arrived, on the receiving / sending process, bytes. */
  static final String FILE_HEAP_RECEIVER = "file_heap_receiver";
  static final String FILE_HEAP_SENDER = "file_heap_sender";
  /** The receiving process's CPU time per GiB of a file figure (piped; {@link #SENDFILE_CPU_RECEIVER} for sendFile), in s. */
  static final String FILE_CPU_RECEIVER = "file_cpu_receiver";
  static final String SENDFILE_CPU_RECEIVER = "sendfile_cpu_receiver";
  /** 64 KB {@code p2p.send} measured in stretches alternating with the {@code sendFile} transfers, MB/s (its window as the figure's). */
  static final String SENDFILE_PAIRED_SEND = "sendfile_paired_send";
  /** The same file by {@code sendFile} into a reader that drops the bytes (the streams path without the receiver's file), MB/s. */
  static final String SENDFILE_DROPPED_THROUGHPUT = "sendfile_dropped_throughput";
  /** The same file by {@code sendFile} into {@code streamToFileSystem(path, true)} (direct I/O), MB/s; and the receiver's CPU per GiB, s. */
  static final String SENDFILE_DIRECT_THROUGHPUT = "sendfile_direct_throughput";
  static final String SENDFILE_DIRECT_CPU_RECEIVER = "sendfile_direct_cpu_receiver";
  /** The receiving process writing the file's size into a new file of its own (page-cache writes, as {@code streamToFileSystem}; pages just freed), MB/s. */
  static final String LOCAL_FILE_WRITE = "local_file_write";

  static Figure of(String system, String metric, int size, Integer window, boolean pinned, double value, String unit) {
    return new Figure(system, metric, size, window, pinned, value, unit, null);
  }

  static Figure failed(String system, String metric, int size, Integer window, boolean pinned, String unit, String error) {
    return new Figure(system, metric, size, window, pinned, Double.NaN, unit, error);
  }

  /** True for the metrics DESIGN §5 lists (the {@code --json} output). */
  boolean contract() {
    return metric.equals(THROUGHPUT) || metric.equals(RTT_P50) || metric.equals(RTT_P99);
  }

  boolean ok() {
    return error == null;
  }

  /**
   * The figure as DESIGN §5 prints it; a failed one has {@code "value":null} and an
   * {@code "error"} saying why (no number rather than a wrong one).
   */
  JsonObject toJson() {
    JsonObject j = new JsonObject().put("system", system).put("metric", metric).put("size", size).put("window", window)
      .put("pinned", pinned).put("value", ok() ? round(value) : null).put("unit", unit);
    if (!ok()) j.put("error", error);
    return j;
  }

  static Figure fromJson(JsonObject j) {
    Double v = j.getDouble("value");
    return new Figure(j.getString("system"), j.getString("metric"), j.getInteger("size"), j.getInteger("window"),
      j.getBoolean("pinned"), v == null ? Double.NaN : v, j.getString("unit"), j.getString("error"));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
