package io.p2pnode.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Drives an event bus the way a Vert.x application does, against a far side that has an echo, a
 * counting sink and an allocation probe ({@link BenchPeer}): the clustered event bus itself, or
 * p2p-node's {@code p2p.send}/{@code p2p.request} (then the addresses are the API's and the
 * far addresses ride in headers). Everything runs on one event-loop context.
 *
 * <p>Throughput: fire-and-forget {@code send}s to the sink, every {@value #CREDIT_EVERY}th a
 * {@code request} whose reply is the credit for the messages before it; at most {@code window}
 * messages are unconfirmed. A run ends with one more request (the drain) and then asks the sink
 * how many it counted: what it missed is reported as lost.
 */
final class BusLoad {
  static final int CREDIT_EVERY = 256;
  /** A throughput run that gets no credit for this long fails (a stuck or dead receiver). */
  static final long STALL_MS = 15_000;

  /** Where a message goes: the address on this node's bus and the options (headers) to use. */
  record Target(String address, DeliveryOptions options) {
  }

  /** The result of one throughput run. */
  record Rate(double messagesPerSecond, double senderAllocPerMessage, double receiverAllocPerMessage, long lost) {
  }

  private final Vertx vertx;
  private final Context context;
  private final Target sink;
  private final Target echo;
  private final Target count;
  private final Target alloc;
  /** Messages sent and confirmed (credited) over all runs so far. */
  private long sent;
  private long confirmed;

  BusLoad(Vertx vertx, Target sink, Target echo, Target count, Target alloc) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.sink = sink;
    this.echo = echo;
    this.count = count;
    this.alloc = alloc;
  }

  /**
   * Runs {@code action} on this load's context, as the application (one verticle) that then sends
   * from it would: a p2p session it opens runs on the same event loop.
   */
  <T> io.vertx.core.Future<T> onContext(java.util.function.Supplier<io.vertx.core.Future<T>> action) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }

  /** {@code samples} request/reply round trips of {@code size} bytes to the echo after {@code warmup}, one at a time. */
  RawUdp.Rtt rtt(int size, int warmup, int samples) throws Exception {
    long[] lat = new long[samples];
    Buffer body = Buffer.buffer(new byte[size]);
    CompletableFuture<Void> done = new CompletableFuture<>();
    int[] n = {0};
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      long t0 = System.nanoTime();
      vertx.eventBus().request(echo.address(), body, echo.options()).onComplete(ar -> {
        if (ar.failed()) {
          done.completeExceptionally(ar.cause());
          return;
        }
        int i = n[0]++;
        if (i >= warmup) lat[i - warmup] = System.nanoTime() - t0;
        if (n[0] >= warmup + samples) done.complete(null);
        else next[0].run();
      });
    };
    context.runOnContext(v -> next[0].run());
    get(done, 300);
    return RawUdp.Rtt.of(lat, 0);
  }

  /**
   * Sends {@code size}-byte messages with {@code window} in flight; after {@code warmupNanos}
   * counts the confirmed ones for {@code nanos}.
   *
   * @throws Exception naming the cause when a credit request fails or no credit comes for {@link #STALL_MS}
   */
  Rate throughput(int size, int window, long warmupNanos, long nanos) throws Exception {
    Run run = new Run(Buffer.buffer(new byte[size]), window, warmupNanos, nanos);
    context.runOnContext(v -> run.start());
    long[] r = get(run.result, (warmupNanos + nanos) / 1_000_000_000L + 300);
    long lost = sent - query(count);
    long messages = r[1];
    return new Rate(messages * 1e9 / r[0], (double) r[2] / messages, (double) r[3] / messages, lost);
  }

  /** One throughput run; its fields are touched on the load's context only. */
  private final class Run {
    final Buffer body;
    final int window;
    final long warmupNanos;
    final long nanos;
    final CompletableFuture<long[]> result = new CompletableFuture<>(); // nanos, messages, sender and receiver alloc
    final long start = System.nanoTime();
    long lastProgress = start;
    long measureStart;
    long confirmedAtStart;
    long allocAtStart;
    Future<Long> remoteAtStart;
    boolean stopping;
    long watchdog;
    /** Set when the measured part ends: elapsed, messages, sender and receiver allocation. */
    Future<long[]> drained;

    Run(Buffer body, int window, long warmupNanos, long nanos) {
      this.body = body;
      this.window = window;
      this.warmupNanos = warmupNanos;
      this.nanos = nanos;
    }

    void start() {
      watchdog = vertx.setPeriodic(1_000, t -> {
        if (!result.isDone() && System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(STALL_MS)) {
          fail(new IllegalStateException("no credit for " + STALL_MS / 1000 + " s with " + (sent - confirmed) + " messages in flight"));
        }
      });
      pump();
    }

    void pump() {
      while (!stopping && sent - confirmed < window) {
        long seq = ++sent;
        if (seq % CREDIT_EVERY == 0) request(seq);
        else vertx.eventBus().send(sink.address(), body, sink.options());
      }
    }

    void request(long seq) {
      vertx.eventBus().request(sink.address(), body, sink.options()).onComplete(ar -> credit(seq, ar));
    }

    void credit(long seq, AsyncResult<Message<Object>> ar) {
      if (result.isDone()) return;
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      confirmed = Math.max(confirmed, seq);
      long now = System.nanoTime();
      lastProgress = now;
      if (stopping) {
        if (confirmed == sent) finish(now);
        return;
      }
      if (measureStart == 0 && now - start >= warmupNanos) {
        measureStart = now;
        confirmedAtStart = confirmed;
        allocAtStart = Alloc.allocatedBytes();
        remoteAtStart = vertx.eventBus().<Object>request(alloc.address(), "?", alloc.options()).map(m -> Long.parseLong(m.body().toString()));
      } else if (measureStart != 0 && now - measureStart >= nanos) {
        long elapsed = now - measureStart;
        long messages = confirmed - confirmedAtStart;
        long local = Alloc.allocatedBytes() - allocAtStart;
        stopping = true;
        Future<Long> remoteAtEnd = vertx.eventBus().<Object>request(alloc.address(), "?", alloc.options())
          .map(m -> Long.parseLong(m.body().toString()));
        drained = Future.all(remoteAtStart, remoteAtEnd).map(cf -> new long[] {elapsed, messages, local,
          remoteAtEnd.result() - remoteAtStart.result()});
        request(++sent); // the drain: its reply confirms everything sent
        return;
      }
      pump();
    }

    void finish(long now) {
      vertx.cancelTimer(watchdog);
      drained.onComplete(ar -> {
        if (ar.succeeded()) result.complete(ar.result());
        else result.completeExceptionally(ar.cause());
      });
    }

    void fail(Throwable cause) {
      vertx.cancelTimer(watchdog);
      result.completeExceptionally(cause);
    }
  }

  /** A count the far side answers on {@code target} (the sink's count, its allocated bytes). */
  long query(Target target) throws Exception {
    Future<Message<Object>> f = vertx.eventBus().request(target.address(), "?", target.options());
    return Long.parseLong(get(f.toCompletionStage().toCompletableFuture(), 60).body().toString());
  }

  /** The result, or the failure as a readable exception (a {@link ReplyException}'s code included). */
  private static <T> T get(CompletableFuture<T> f, long seconds) throws Exception {
    try {
      return f.get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ReplyException re) {
        throw new IllegalStateException("failed " + re.failureCode() + " (" + re.failureType() + "): " + re.getMessage(), re);
      }
      throw new IllegalStateException(String.valueOf(c), c);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no result in " + seconds + " s", e);
    }
  }
}
