package io.p2pnode.bench;

import io.p2pnode.bus.P2pClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data-plane benchmark's file transfer (issue #15): a file piped from disk into a byte stream
 * ({@code P2pClient.openStream}) on the driver, and on the peer from its {@code P2pReadStream} into a
 * file; timed from the open until the peer's file holds every byte. Both sides read and write in
 * the way the README shows (reads of {@link #READ_BYTES}, a file write queue of {@link #WRITE_QUEUE_BYTES});
 * or with {@code sendFile} into {@code streamToFileSystem}, the README's file-to-file way.
 */
final class FileTransfer {
  /** The address the peer's stream handler listens on. */
  static final String FILES = "bench.file";
  /** The address where the peer writes streams with {@code streamToFileSystem} (the other end of {@code sendFile}). */
  static final String FILES_SAVED = "bench.file.saved";
  /** The address where the peer writes streams with {@code streamToFileSystem(path, true)}: direct I/O, past the page cache. */
  static final String FILES_DIRECT = "bench.file.direct";
  /** The address where the peer counts a stream's bytes and drops them (the streams path without the file). */
  static final String FILES_DROPPED = "bench.file.dropped";
  /** The peer answers how many bytes its last received file holds, and its heap after a GC. */
  static final String REPORT = "bench.file.report";
  /** The peer writes {@code {"mib": n}} MiB into a new file and answers how fast: {@code {"mbPerSec": x}}. */
  static final String WRITE_LOCALLY = "bench.file.write";

  /** How a figure's file travels. */
  enum Way {
    /** Piped from an {@code AsyncFile} into the stream, on the peer from the stream into one. */
    PIPED(FILES),
    /** {@code sendFile} into {@code streamToFileSystem}. */
    SEND_FILE(FILES_SAVED),
    /** {@code sendFile} into {@code streamToFileSystem} with direct I/O. */
    SEND_FILE_DIRECT(FILES_DIRECT),
    /** {@code sendFile} into a reader that counts the bytes and drops them. */
    SEND_FILE_DROPPED(FILES_DROPPED);

    final String address;

    Way(String address) {
      this.address = address;
    }
  }
  /** Reads of 1 MiB: each read is a worker task and an event-loop hop, so fewer, larger ones (the stream cuts them into 64 KiB chunks). */
  static final int READ_BYTES = Integer.getInteger("bench.fileRead", 1 << 20);
  /** The receiving file's write queue: AsyncFile's default (128 KiB) pauses the stream after every second chunk. */
  static final int WRITE_QUEUE_BYTES = Integer.getInteger("bench.fileQueue", 4 << 20);
  /** Transfers of the file one figure is measured over (see {@link #send}): two 1 GiB files take about as long as a throughput figure (3 s). */
  static final int TRANSFERS = Integer.getInteger("bench.fileTransfers", 2);

  private FileTransfer() {
  }

  /** Receives every stream to {@link #FILES} into a temporary file (the peer side); answers {@link #REPORT}. */
  static void serve(Vertx vertx) throws IOException {
    Path target = Files.createTempFile("p2p-bench-file-", ".bin");
    target.toFile().deleteOnExit();
    AtomicLong written = new AtomicLong(-1); // -1 while a file is being written
    P2pClient.create(vertx).streamHandler(FILES, rs -> {
      written.set(-1);
      vertx.fileSystem().open(target.toString(), new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true))
        .compose(out -> rs.pipeTo(out.setWriteQueueMaxSize(WRITE_QUEUE_BYTES)))
        .onComplete(ar -> written.set(ar.succeeded() ? target.toFile().length() : -2));
    });
    for (boolean direct : new boolean[] {false, true}) { // the other end of sendFile: page cache, direct I/O
      P2pClient.create(vertx).streamHandler(direct ? FILES_DIRECT : FILES_SAVED, rs -> {
        written.set(-1);
        rs.streamToFileSystem(target.toString(), direct).onComplete(ar -> written.set(ar.succeeded() ? target.toFile().length() : -2));
      });
    }
    P2pClient.create(vertx).streamHandler(FILES_DROPPED, rs -> {
      written.set(-1);
      AtomicLong count = new AtomicLong();
      rs.handler(b -> count.addAndGet(b.length())).exceptionHandler(e -> written.set(-2)).endHandler(v -> written.set(count.get()));
    });
    vertx.eventBus().<JsonObject>localConsumer(WRITE_LOCALLY, m -> vertx.<Double>executeBlocking(() -> writeLocally(m.body().getInteger("mib")), false)
      .onComplete(ar -> m.reply(new JsonObject().put("mbPerSec", ar.succeeded() ? ar.result() : -1.0))));
    vertx.eventBus().<Object>localConsumer(REPORT, m -> {
      JsonObject r = new JsonObject().put("bytes", written.get()).put("cpuNanos", cpuNanos());
      if (written.get() >= 0 && HEAP.equals(m.body())) r.put("heapAfterGc", heapAfterGc());
      m.reply(r);
    });
  }

  /**
   * Writes {@code mib} MiB in 256 KiB writes (the size {@code streamToFileSystem} writes through the
   * page cache in) from one direct buffer into a new file, and returns MB/s until the last write
   * returned. It runs right after the sender deleted its source file, so its new pages are mostly
   * ones freed just before: on a VM that hands freed memory back to its host (virtio-balloon free
   * page reporting) a transfer's pages may cost several times more (see
   * {@link Benchmark#firstTouchMBs}).
   */
  private static double writeLocally(int mib) throws IOException {
    Path file = Files.createTempFile("p2p-bench-write-", ".bin");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
      long t0 = System.nanoTime();
      for (long left = (long) mib << 20; left > 0; left -= buf.capacity()) {
        buf.clear();
        while (buf.hasRemaining()) ch.write(buf);
      }
      return (double) mib * (1 << 20) / ((System.nanoTime() - t0) / 1e9) / 1e6;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** How fast the peer writes {@code mib} MiB into a new file of its own, MB/s (see {@link #writeLocally}). */
  static double peerWritesLocally(Vertx vertx, String peer, int mib) throws Exception {
    return await(P2pClient.create(vertx).<JsonObject>request(peer, WRITE_LOCALLY, new JsonObject().put("mib", mib))).getDouble("mbPerSec");
  }

  /** This process's CPU time so far (every thread, the JVM's own too). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** A {@link #REPORT} with this body also measures the peer's heap after a collection. */
  private static final String HEAP = "heap";

  /**
   * Sends a file of {@code mib} MiB of random bytes to {@code peer} {@code transfers} times, one
   * after the other, each time waiting until the peer's file holds it; returns {@code [MB/s over
   * all transfers, the peer's heap after GC in bytes, ours, the peer's CPU seconds per GiB]} (heaps
   * -1 unless {@code measureHeap}). The CPU time is the receiving process's, every thread: unlike
   * the rate it hardly depends on what else this shared machine runs at the time.
   * Several transfers make a figure over seconds, as the other throughput figures are: one 256 MiB
   * transfer lasts half a second here, its stream's start weighs in, and single ones read from 240
   * to 580 MB/s in one sitting.
   * {@code way}: piped between {@code AsyncFile}s, by {@code P2pWriteStream.sendFile} into the peer's
   * {@code P2pReadStream.streamToFileSystem}, or by {@code sendFile} into a reader that drops the bytes. The
   * heaps are measured after the timing, and only when asked: a {@code System.gc()} shrinks the
   * heap, and growing it back on this VM (new pages come at about 300 MB/s) took more than the
   * transfer after it.
   */
  static double[] send(Vertx vertx, String peer, int mib, int transfers, boolean measureHeap, Way way) throws Exception {
    Path source = Files.createTempFile("p2p-bench-file-", ".bin");
    try {
      StreamProbe.writeRandom(source, mib);
      long size = (long) mib << 20;
      P2pClient api = P2pClient.create(vertx);
      long cpu0 = await(api.<JsonObject>request(peer, REPORT, "")).getLong("cpuNanos");
      long t0 = System.nanoTime();
      for (int i = 0; i < transfers; i++) {
        await(StreamProbe.sendTo(vertx, api, peer, way.address, source, READ_BYTES, way != Way.PIPED));
        JsonObject report;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do { // the peer's last writes may still be under way after its stream acknowledged every byte
          report = await(api.<JsonObject>request(peer, REPORT, ""));
          if (report.getLong("bytes") == -1) TimeUnit.MILLISECONDS.sleep(2);
        } while (report.getLong("bytes") == -1 && System.nanoTime() < deadline);
        if (report.getLong("bytes") != size) throw new IllegalStateException("the peer's stream (" + way + ") had " + report.getLong("bytes") + " of " + size + " bytes");
      }
      double mbs = size * transfers / ((System.nanoTime() - t0) / 1e9) / 1e6;
      long cpu1 = await(api.<JsonObject>request(peer, REPORT, "")).getLong("cpuNanos");
      double cpuPerGib = (cpu1 - cpu0) / 1e9 / ((double) size * transfers / (1L << 30));
      if (!measureHeap) return new double[] {mbs, -1, -1, cpuPerGib};
      return new double[] {mbs, await(api.<JsonObject>request(peer, REPORT, HEAP)).getLong("heapAfterGc"), heapAfterGc(), cpuPerGib};
    } finally {
      Files.deleteIfExists(source);
    }
  }

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
