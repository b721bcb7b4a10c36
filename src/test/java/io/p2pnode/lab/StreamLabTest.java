package io.p2pnode.lab;

import io.p2pnode.NodeProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A file piped through a byte stream between real node processes behind two cone NATs, with 1%
 * random loss at one router: it arrives intact (SHA-256) and neither JVM's heap (capped at
 * 256 MiB) grows with the file. 1 GiB (about 90 s at 12 MB/s here, two minutes with the file's
 * creation and checksums); {@code -Dp2p.lab.streamMiB=64} for a quicker run:
 * {@code flock /tmp/p2plab.lock mvn -B -o test -Dtest=StreamLabTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("lab")
class StreamLabTest {

  @Test
  void aGibibyteFilePipedAcrossLossyNatsArrivesIntactInBoundedHeaps() throws Exception {
    run(Integer.getInteger("p2p.lab.streamMiB", 1024), false);
  }

  /**
   * {@code sendFile} across the same lossy path: its arrays go back to the pool only once every
   * message holding them was acknowledged, so retransmissions after loss still carry the file's
   * bytes (a premature reuse would break the checksum). 128 MiB, about 11 s.
   */
  @Test
  void aFileSentWithSendFileAcrossLossyNatsArrivesIntact() throws Exception {
    run(128, true);
  }

  /**
   * Benchmark: small confirmed sends, one at a time, idle and while a byte stream to another
   * address of the same peer carries bulk data, across the lab with 1% loss and 10 ms delay each
   * way (target: p99 under bulk at most the idle p99 plus one RTT). Prints the figures.
   */
  @Test
  @Tag("bench")
  void smallMessageLatencyUnderStreamBulkAcrossTheLossyLab() throws Exception {
    NatLabTest.requireLab();
    Path bobOut = Files.createTempFile("stream-lab-bob", ".out");
    try (NatLab lab = new NatLab()) {
      startLossy(lab, 10);
      Process bobProc = startReceiver(bobOut, Path.of("/dev/null"), true);
      try {
        awaitLine(bobOut, "READY", 60);
        List<String> alice = NodeProcess.javaBenchIn("p2plab-alice", io.p2pnode.bench.StreamProbe.class.getName());
        alice.addAll(List.of("latency", "alice", "203.0.113.100:7700", "bob", "300"));
        var r = NatLab.run(alice, 600);
        String line = r.out().lines().filter(l -> l.startsWith("REPORT ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        JsonObject report = new JsonObject(line.substring(7));
        System.out.println("stream lab latency, 1% loss, 10 ms each way: " + report.encode());
        System.out.printf("p99 under bulk - idle p99 = %+.1f ms; one RTT = %.1f ms%n", report.getDouble("bulkP99Ms") - report.getDouble("idleP99Ms"),
          report.getDouble("rttMs"));
        assertTrue(report.getDouble("bulkMbPerSec") > 0, "the bulk stream moved: " + report.encode());
      } finally {
        bobProc.destroyForcibly();
      }
    } finally {
      Files.deleteIfExists(bobOut);
    }
  }

  /** Cone NATs, 1% loss at alice's router, {@code delayMs} each way at bob's (0: none), and the coordinator. */
  private static void startLossy(NatLab lab, int delayMs) throws Exception {
    NatLab.run(List.of("bash", NatLab.SCRIPT, "up", "cone"), 60);
    NatLab.run(List.of("bash", NatLab.SCRIPT, "impair", "p2plab-nata", "0.01"), 60);
    if (delayMs > 0) {
      var delay = NatLab.run(List.of("bash", NatLab.SCRIPT, "delay", "p2plab-natb", String.valueOf(delayMs), "0"), 120);
      assertEquals(0, delay.code(), delay.out());
    }
    lab.nodes.add(NodeProcess.startWithConfigIn(NatLab.COORD_NS, new JsonObject().put("peerId", "coord")
      .put("listen", new JsonObject().put("host", "0.0.0.0").put("port", 7700)).put("bridge", new JsonObject().put("port", 0))
      .put("http", new JsonObject().put("port", 0))));
    lab.nodes.get(0).awaitReady();
  }

  /** Bob's {@code StreamProbe receive}, its output into {@code out}; {@code bench}: in a JVM set up for measuring. */
  private static Process startReceiver(Path out, Path target, boolean bench) throws Exception {
    String probe = io.p2pnode.bench.StreamProbe.class.getName();
    List<String> bob = bench ? NodeProcess.javaBenchIn("p2plab-bob", probe) : NodeProcess.javaIn("p2plab-bob", probe);
    bob.addAll(List.of("receive", "bob", "203.0.113.100:7700", target.toString()));
    return new ProcessBuilder(bob).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private static void run(int mib, boolean sendFile) throws Exception {
    NatLabTest.requireLab();
    Path dir = Files.createTempDirectory("p2p-stream-lab");
    Path source = dir.resolve("source.bin");
    Path target = dir.resolve("target.bin");
    Path bobOut = dir.resolve("bob.out");
    try (NatLab lab = new NatLab()) {
      startLossy(lab, 0);
      Process bobProc = startReceiver(bobOut, target, false);
      try {
        awaitLine(bobOut, "READY", 60);
        List<String> alice = NodeProcess.javaIn("p2plab-alice", io.p2pnode.bench.StreamProbe.class.getName());
        alice.addAll(List.of("send", "alice", "203.0.113.100:7700", "bob", source.toString(), String.valueOf(mib), sendFile ? "sendFile" : "pipe"));
        var r = NatLab.run(alice, 3600);
        String line = r.out().lines().filter(l -> l.startsWith("REPORT ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        JsonObject sent = new JsonObject(line.substring(7));
        JsonObject received = new JsonObject(awaitLine(bobOut, "RECEIVED ", 120).substring(9));
        System.out.println("stream lab " + mib + " MiB, 1% loss: sent " + sent.encode() + "\nreceived " + received.encode());
        assertEquals((long) mib << 20, sent.getLong("bytes"));
        assertEquals(sent.getLong("bytes"), received.getLong("bytes"), "every byte arrived");
        assertEquals(sent.getString("sha256"), received.getString("sha256"), "intact");
        assertEquals("alice", received.getString("from"));
        assertTrue(sent.getJsonObject("transport").getLong("lostPackets") > 0, "the lab did lose packets: " + sent.encode());
        // 256 MiB heaps; the windows, queues and unacknowledged copies stay far below, whatever the file's size
        assertTrue(sent.getLong("peakLiveHeapMiB") < 160, sent.encode());
        assertTrue(received.getLong("peakLiveHeapMiB") < 160, received.encode());
      } finally {
        bobProc.destroyForcibly();
      }
    } finally {
      Files.deleteIfExists(source);
      Files.deleteIfExists(target);
      Files.deleteIfExists(bobOut);
      Files.deleteIfExists(dir);
    }
  }

  /** The first line of {@code file} that starts with {@code prefix}, waiting up to {@code seconds} for it. */
  private static String awaitLine(Path file, String prefix, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        var line = Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst();
        if (line.isPresent()) return line.get();
      }
      TimeUnit.MILLISECONDS.sleep(100); // polls a process's output file: nothing to synchronise on
    }
    throw new AssertionError("no " + prefix + " line in " + seconds + " s: " + (Files.exists(file) ? Files.readString(file) : ""));
  }
}
