package io.p2pnode.it;

import io.p2pnode.P2pNode;
import io.p2pnode.TestNodes;
import io.p2pnode.bench.StreamProbe;
import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.P2pClient;
import io.p2pnode.bus.P2pReadStream;
import io.p2pnode.bus.P2pWriteStream;
import io.p2pnode.bus.StreamResetException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.p2pnode.TestNodes.await;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The byte-stream API between two real nodes on loopback: a file piped to a peer arrives intact
 * with both heaps bounded, a paused reader holds back only its own stream, refusals and bad
 * arguments get their codes, and the {@code priority} header is validated. {@code sendFile} and
 * {@code streamToFileSystem}: a file arrives intact, a disk that does not keep up pauses the
 * stream (the sender's acknowledged bytes stop at a bound) and loses nothing once it does, and a
 * file that cannot be written resets the writer's stream with 500.
 */
@ExtendWith(VertxExtension.class)
class StreamsTest {
  /** Size of the piped file (MiB): {@code -Dp2p.test.streamMiB=1024} for a longer run. */
  static final int FILE_MIB = Integer.getInteger("p2p.test.streamMiB", 256);
  static TestNodes nodes;
  static P2pNode coord;
  static P2pNode alice;
  static P2pNode bob;
  static P2pClient aliceApi;
  static P2pClient bobApi;

  @BeforeAll
  static void start() {
    nodes = new TestNodes();
    coord = nodes.start(TestNodes.config("coord"));
    alice = nodes.startRegistered(TestNodes.peer("alice", coord));
    bob = nodes.startRegistered(TestNodes.peer("bob", coord));
    aliceApi = P2pClient.create(alice.vertx());
    bobApi = P2pClient.create(bob.vertx());
    TestNodes.connectEventually(alice, "bob");
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  static int code(Throwable t) {
    return MessagingTest.code(t);
  }

  /** Bytes of the heap live after the last collection (what the collector could not free), all heap pools. */

  @Test
  void aFilePipedToAPeerArrivesIntactWithBothHeapsBounded(@TempDir Path dir) throws Exception {
    Path source = dir.resolve("source.bin");
    Path target = dir.resolve("target.bin");
    long size = (long) FILE_MIB << 20;
    StreamProbe.writeRandom(source, FILE_MIB);
    String expected = StreamProbe.sha256(source);
    System.gc();
    long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    AtomicLong peakLive = new AtomicLong(StreamProbe.liveHeap());
    long sampler = alice.vertx().setPeriodic(100, t -> peakLive.accumulateAndGet(StreamProbe.liveHeap(), Math::max));

    Promise<String> received = Promise.promise();
    bobApi.streamHandler("files", rs -> {
      assertEquals("alice", rs.peerId());
      bob.vertx().fileSystem().open(target.toString(), new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true))
        .compose(file -> rs.pipeTo(file)).onComplete(ar -> received.handle(ar.map(rs.peerId())));
    });
    long start = System.nanoTime();
    Future<Void> sent = alice.vertx().fileSystem().open(source.toString(), new OpenOptions().setRead(true))
      .compose(file -> aliceApi.openStream("bob", "files").compose(ws -> file.pipeTo(ws)));
    await(Future.all(sent, received.future()).timeout(300, TimeUnit.SECONDS));
    double seconds = (System.nanoTime() - start) / 1e9;
    alice.vertx().cancelTimer(sampler);
    System.gc();
    long after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf("streamed %d MiB in %.1f s (%.0f MB/s); heap used %d MiB before, %d MiB after; peak live after GC %d MiB%n",
      FILE_MIB, seconds, size / seconds / 1e6, before >> 20, after >> 20, peakLive.get() >> 20);
    assertEquals(size, Files.size(target));
    assertEquals(expected, StreamProbe.sha256(target), "arrived intact");
    assertTrue(after - before < 64L << 20, "nothing of the file stays on the heaps: grew " + ((after - before) >> 20) + " MiB");
    // both nodes run in this JVM: windows (32 MiB per direction), write queue (8 MiB), unacknowledged copies
    assertTrue(peakLive.get() - before < Math.min(size / 2, 192L << 20), "constant memory: peak live heap "
      + (peakLive.get() >> 20) + " MiB, " + (before >> 20) + " MiB before, file " + FILE_MIB + " MiB");
  }

  @Test
  void aPausedReaderHoldsBackOnlyItsOwnStream(VertxTestContext ctx) {
    Promise<P2pReadStream> slowStream = Promise.promise();
    bobApi.streamHandler("slow", rs -> {
      rs.pause(); // never resumes (until the end of the test)
      rs.handler(b -> { });
      slowStream.tryComplete(rs);
    });
    AtomicLong fastBytes = new AtomicLong();
    Promise<Void> fastEnded = Promise.promise();
    bobApi.streamHandler("fast", rs -> rs.handler(b -> fastBytes.addAndGet(b.length())).endHandler(v -> fastEnded.complete()));
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    AtomicLong slowAcked = new AtomicLong();
    aliceApi.openStream("bob", "slow").compose(slow -> {
      // fill the paused stream until its writer is told to wait
      for (int i = 0; i < 1024 && !slow.writeQueueFull(); i++) slow.write(chunk).onSuccess(v -> slowAcked.addAndGet(chunk.length()));
      ctx.verify(() -> assertTrue(slow.writeQueueFull(), "the paused stream's writer has to wait"));
      return aliceApi.openStream("bob", "fast").compose(fast -> {
        for (int i = 0; i < 128; i++) fast.write(chunk); // 8 MiB
        return fast.end();
      }).compose(v -> fastEnded.future())
        .compose(v -> aliceApi.send("bob", "chat", "still here").recover(e -> Future.succeededFuture()))
        .map(v -> slow);
    }).onComplete(ctx.succeeding(slow -> ctx.verify(() -> {
      assertEquals(8L << 20, fastBytes.get(), "the other stream went through whole");
      long window = io.p2pnode.config.SessionOptions.DEFAULT_STREAM_WINDOW_BYTES;
      assertTrue(slowAcked.get() <= window + chunk.length(), "the paused one got no more than its credit: " + slowAcked.get());
      slowStream.future().result().resume();
      slow.end().onComplete(ctx.succeedingThenComplete());
    })));
  }

  @Test
  void aStreamNobodyTakesFailsWith404(VertxTestContext ctx) {
    aliceApi.openStream("bob", "nobody.streams.here").onComplete(ctx.succeeding(ws -> {
      ws.exceptionHandler(e -> ctx.verify(() -> {
        assertEquals(404, code(e));
        ctx.completeNow();
      }));
      ws.write(Buffer.buffer("hello"));
    }));
  }

  @Test
  void badArgumentsAre400(VertxTestContext ctx) {
    var checks = ctx.checkpoint(4);
    aliceApi.openStream("bob", "p2p.status").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      checks.flag();
    })));
    aliceApi.openStream("alice", "x").onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      checks.flag();
    })));
    aliceApi.openStream("bob", "x", 8).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertEquals(400, code(e));
      checks.flag();
    })));
    alice.vertx().eventBus().request(Addresses.SEND, "x", new DeliveryOptions().addHeader(Addresses.HEADER_TO, "bob")
      .addHeader(Addresses.HEADER_PRIORITY, "urgent")).onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(400, code(e));
        assertTrue(e.getMessage().startsWith("priority:"), e.getMessage());
        checks.flag();
      })));
  }

  @Test
  void aSendWithAPriorityArrives(VertxTestContext ctx) {
    bob.vertx().eventBus().<String>localConsumer("urgent.things", m -> m.reply(null)).completion()
      .compose(v -> aliceApi.send("bob", "urgent.things", "now", 0))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals("bob", r.getString("to"));
        ctx.completeNow();
      })));
  }

  @Test
  void eitherEndMayResetAStreamAndTheSessionGoesOn(VertxTestContext ctx) {
    Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
    Promise<Long> readerHeard = Promise.promise();
    bobApi.streamHandler("reset.by.writer", rs -> rs.handler(b -> { })
      .exceptionHandler(e -> readerHeard.tryComplete(e instanceof StreamResetException r ? r.code() : -1L))
      .endHandler(v -> readerHeard.tryFail("the stream ended instead")));
    Promise<Throwable> offContext = Promise.promise();
    bobApi.streamHandler("reset.by.reader", rs -> {
      java.util.concurrent.CompletableFuture.runAsync(() -> rs.reset(9)) // not on the stream's context: refused
        .whenComplete((v, e) -> offContext.tryComplete(e == null ? null : e.getCause()));
      rs.handler(b -> rs.reset(9));
    });
    AtomicLong after = new AtomicLong();
    Promise<Void> afterEnded = Promise.promise();
    bobApi.streamHandler("after.resets", rs -> rs.handler(b -> after.addAndGet(b.length())).endHandler(v -> afterEnded.complete()));
    // a first chunk acknowledged: the reader has the stream (a stream reset before its first bytes arrive never opens there)
    aliceApi.openStream("bob", "reset.by.writer").compose(ws -> ws.write(chunk).map(ws)).compose(ws -> {
      for (int i = 0; i < 1024; i++) ws.write(chunk); // 64 MiB: far more than the stream's credit, so most of it waits
      Future<Void> end = ws.end();
      ctx.verify(() -> assertTrue(ws.reset(7), "a stream still under way can be reset"));
      return end.transform(ar -> {
        ctx.verify(() -> {
          assertTrue(ar.failed(), "end() fails");
          assertEquals(7, ((StreamResetException) ar.cause()).code());
          assertFalse(ws.reset(7), "once");
        });
        return readerHeard.future();
      });
    }).compose(code -> {
      ctx.verify(() -> assertEquals(7L, code, "the reader hears the writer's code"));
      return aliceApi.openStream("bob", "reset.by.reader");
    }).compose(ws -> {
      Promise<Long> writerHeard = Promise.promise();
      ws.exceptionHandler(e -> writerHeard.tryComplete(e instanceof StreamResetException r && r.getMessage().contains("peer") ? r.code() : -1L));
      for (int i = 0; i < 512; i++) ws.write(chunk);
      return writerHeard.future();
    }).compose(code -> {
      ctx.verify(() -> assertEquals(9L, code, "the writer hears the reader's code"));
      return offContext.future();
    }).compose(e -> {
      ctx.verify(() -> assertTrue(e instanceof IllegalStateException, "a reset off the stream's context: " + e));
      return aliceApi.openStream("bob", "after.resets");
    }).compose(ws -> {
      for (int i = 0; i < 768; i++) ws.write(chunk); // 48 MiB: more than the session's window (32 MiB)
      return ws.end();
    }).compose(v -> afterEnded.future()).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(48L << 20, after.get(), "a stream after the resets goes through whole");
      ctx.completeNow();
    })));
  }

  @Test
  void sendFileSendsAFileOrARangeOfItIntactAndFailsOnAMissingOne(@TempDir Path dir, VertxTestContext ctx) throws Exception {
    Path source = dir.resolve("source.bin");
    StreamProbe.writeRandom(source, 40); // 40 MiB: more than the write queue's arrays (8 MiB), so they are used again
    byte[] all = Files.readAllBytes(source);
    java.util.Map<String, Buffer> got = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.Map<String, Promise<Void>> ended = new java.util.concurrent.ConcurrentHashMap<>();
    for (String a : new String[] {"file.whole", "file.range"}) {
      ended.put(a, Promise.promise());
      Buffer into = Buffer.buffer();
      got.put(a, into);
      bobApi.streamHandler(a, rs -> rs.handler(into::appendBuffer).endHandler(v -> ended.get(a).complete()));
    }
    long offset = 1_234_567;
    int length = 5_000_001;
    aliceApi.openStream("bob", "file.whole").compose(ws -> ws.sendFile(source.toString()).compose(v -> ws.end()))
      .compose(v -> ended.get("file.whole").future())
      .compose(v -> aliceApi.openStream("bob", "file.range"))
      .compose(ws -> ws.sendFile(source.toString(), offset, length).compose(v -> ws.end()))
      .compose(v -> ended.get("file.range").future())
      .compose(v -> aliceApi.openStream("bob", "file.whole"))
      .compose(ws -> ws.sendFile(dir.resolve("missing.bin").toString()).transform(ar -> {
        ctx.verify(() -> assertTrue(ar.failed() && ar.cause() instanceof java.nio.file.NoSuchFileException, String.valueOf(ar.cause())));
        return ws.sendFile(source.toString(), all.length + 1L, 1).transform(beyond -> {
          ctx.verify(() -> assertTrue(beyond.failed() && beyond.cause() instanceof IllegalArgumentException, "a range beyond the file"));
          return ws.sendFile(null).transform(none -> {
            ctx.verify(() -> assertTrue(none.failed() && none.cause() instanceof IllegalArgumentException, "no filename: a failed future, not a throw"));
            return ws.end();
          });
        });
      }))
      .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertArrayEquals(all, got.get("file.whole").getBytes(), "the whole file arrived intact");
        assertArrayEquals(java.util.Arrays.copyOfRange(all, (int) offset, (int) offset + length), got.get("file.range").getBytes(), "and the range");
        ctx.completeNow();
      })));
  }

  // ---------------------------------------------------------------- streamToFileSystem, the receiving side of sendFile

  @Test
  void aFileSentWithSendFileIsWrittenIntact(@TempDir Path dir) throws Exception {
    Path source = dir.resolve("source.bin");
    Path target = dir.resolve("target.bin");
    try (java.io.RandomAccessFile longer = new java.io.RandomAccessFile(target.toFile(), "rw")) {
      longer.setLength(100 << 20); // longer than what comes: the file is truncated first
    }
    StreamProbe.writeRandom(source, 40);
    Promise<Void> written = Promise.promise();
    bobApi.streamHandler("save.whole", rs -> rs.streamToFileSystem(target.toString()).onComplete(written));
    Future<Void> sent = aliceApi.openStream("bob", "save.whole").compose(ws -> ws.sendFile(source.toString()).compose(v -> ws.end()));
    await(Future.all(sent, written.future()).timeout(60, TimeUnit.SECONDS));
    assertEquals(-1, Files.mismatch(source, target), "the file arrived intact, and nothing of what was there before stayed");

    // with direct I/O, a length that ends inside a block (written in whole blocks, then cut)
    long offset = 12_345, length = (3L << 20) + 777;
    Path part = dir.resolve("part.bin");
    Promise<Void> partWritten = Promise.promise();
    bobApi.streamHandler("save.part", rs -> rs.streamToFileSystem(part.toString(), true).onComplete(partWritten));
    Future<Void> partSent = aliceApi.openStream("bob", "save.part")
      .compose(ws -> ws.sendFile(source.toString(), offset, length).compose(v -> ws.end()));
    await(Future.all(partSent, partWritten.future()).timeout(60, TimeUnit.SECONDS));
    byte[] whole = Files.readAllBytes(source);
    assertArrayEquals(java.util.Arrays.copyOfRange(whole, (int) offset, (int) (offset + length)), Files.readAllBytes(part),
      "a range of odd length arrived exactly");
  }

  @Test
  void aDiskThatDoesNotKeepUpPausesTheStreamAndLosesNothing(@TempDir Path dir, VertxTestContext ctx) throws Exception {
    Path fifo = dir.resolve("slow-disk");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
    int total = 48 << 20;
    byte[] data = new byte[total];
    new Random(7).nextBytes(data);
    // the "disk": opens its end (so the node's open returns), reads nothing until told, then everything
    CompletableFuture<Void> drain = new CompletableFuture<>();
    CompletableFuture<String> readBack = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = Files.newInputStream(fifo)) {
        drain.get(60, TimeUnit.SECONDS);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        return HexFormat.of().formatHex(sha.digest());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    Promise<Void> written = Promise.promise();
    bobApi.streamHandler("save.slow", rs -> rs.streamToFileSystem(fifo.toString()).onComplete(written));
    AtomicLong acked = new AtomicLong();
    aliceApi.openStream("bob", "save.slow").onComplete(ctx.succeeding(ws -> {
      ws.setWriteQueueMaxSize(2 * total); // the sender's own queue is not what stops it
      for (int off = 0; off < total; off += 64 << 10) {
        int len = Math.min(64 << 10, total - off);
        ws.write(Buffer.buffer(java.util.Arrays.copyOfRange(data, off, off + len))).onSuccess(v -> acked.addAndGet(len));
      }
      Future<Void> ended = ws.end();
      alice.vertx().setTimer(2000, t -> {
        // held: the pipe's 64 KiB, a batch in its write and 8 MiB gathered (each up to 8 MiB + a chunk), a 4 MiB stream window
        long bound = 21L << 20;
        ctx.verify(() -> assertTrue(acked.get() <= bound, "the stream paused: " + (acked.get() >> 20) + " MiB acknowledged of "
          + (total >> 20) + " MiB while the disk took nothing (bound " + (bound >> 20) + " MiB)"));
        drain.complete(null);
        Future.all(ended, written.future()).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(sha256(data), readBack.get(60, TimeUnit.SECONDS), "every byte, in order, once the disk caught up");
          ctx.completeNow();
        })));
      });
    }));
    assertTrue(ctx.awaitCompletion(90, TimeUnit.SECONDS));
    if (ctx.failed()) throw new AssertionError(ctx.causeOfFailure());
  }

  @Test
  void aFileThatCannotBeWrittenResetsTheWritersStreamWith500(@TempDir Path dir, VertxTestContext ctx) {
    Promise<Void> written = Promise.promise();
    bobApi.streamHandler("save.bad", rs -> rs.streamToFileSystem(dir.toString()).onComplete(written)); // a directory
    aliceApi.openStream("bob", "save.bad")
      .compose(ws -> ws.write(Buffer.buffer(new byte[1000])).transform(w -> ws.end()))
      .onComplete(ctx.failing(cause -> written.future().onComplete(ctx.failing(local -> ctx.verify(() -> {
        assertInstanceOf(StreamResetException.class, cause, String.valueOf(cause));
        assertEquals(500, ((StreamResetException) cause).code(), "the writer hears the receiver's file failed");
        assertInstanceOf(java.io.IOException.class, local, "the receiving application hears the file's error");
        ctx.completeNow();
      })))));
  }

  @Test
  void anEmptyStreamWritesAnEmptyFile(@TempDir Path dir, VertxTestContext ctx) throws Exception {
    Path target = dir.resolve("empty.bin");
    Files.write(target, new byte[1000]); // truncated to nothing
    bobApi.streamHandler("save.empty", rs -> rs.streamToFileSystem(target.toString()).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(0, Files.size(target));
      ctx.completeNow();
    }))));
    aliceApi.openStream("bob", "save.empty").compose(P2pWriteStream::end).onComplete(ctx.succeeding(v -> { }));
  }

  @Test
  void noFilenameIsAFailedFutureNotAThrow(VertxTestContext ctx) {
    bobApi.streamHandler("save.none", rs -> rs.streamToFileSystem(null).onComplete(ctx.failing(cause -> ctx.verify(() -> {
      assertInstanceOf(IllegalArgumentException.class, cause);
      rs.reset(1);
      ctx.completeNow();
    }))));
    aliceApi.openStream("bob", "save.none").onSuccess(ws -> ws.write(Buffer.buffer("x")));
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
