package io.p2pnode.heartbeat;

import io.netty.buffer.ByteBuf;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.PacketHandler;
import io.p2pnode.transport.PacketSocket;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.WireException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Measures how long this node's NAT keeps an idle UDP mapping, so keepalives can be sized to it
 * instead of a fixed guess. From a second socket (its own mapping) it asks a coordinator to
 * answer after T ms of silence (PROBE_ASK / PROBE_ECHO): an answer means the mapping outlived
 * T. T doubles from {@code startMs} until an answer is missing, then halves the gap until it is
 * within a quarter; the keepalive becomes 80% of the longest silence that survived.
 *
 * <pre>
 * IDLE --start--> PROBING --echo / silence--> PROBING ... --> DONE
 * </pre>
 * Single-threaded (the control context); time through the injected {@link Scheduler}.
 */
public final class NatTimeoutProber {
  private static final Logger LOG = Logger.getLogger("p2p.heartbeat");
  /** Time an echo may take on top of the silence asked for. */
  static final long GRACE_MS = 2_000;

  /** Prober lifecycle. */
  public enum State { IDLE, PROBING, DONE }

  private final Scheduler scheduler;
  private final long startMs;
  private final long maxMs;
  private final long defaultKeepaliveMs;
  private State state = State.IDLE;
  private PacketSocket socket;
  private InetSocketAddress coordinator;
  private long askedMs;
  private int txn;
  private long timer = -1;
  private long aliveMs;
  private long failedMs;
  private volatile long keepaliveMs;

  /**
   * @param startMs            first silence to try (the configured keepalive interval)
   * @param maxMs              longest silence to try ({@code heartbeat.maxIntervalMs})
   */
  public NatTimeoutProber(Scheduler scheduler, long startMs, long maxMs) {
    this.scheduler = scheduler;
    this.startMs = startMs;
    this.maxMs = maxMs;
    this.defaultKeepaliveMs = startMs;
    this.keepaliveMs = startMs;
  }

  /**
   * Starts probing through {@code coordinator}, from a socket {@code open} makes (its own NAT
   * mapping); does nothing without a coordinator.
   */
  public void start(InetSocketAddress coordinator, Function<PacketHandler, Future<PacketSocket>> open) {
    if (coordinator == null || state != State.IDLE) return;
    this.coordinator = coordinator;
    transition(State.PROBING);
    open.apply(this::onPacket).onSuccess(s -> {
      socket = s;
      ask(startMs);
    }).onFailure(err -> transition(State.DONE));
  }

  private void ask(long silenceMs) {
    askedMs = silenceMs;
    txn = ThreadLocalRandom.current().nextInt();
    socket.send(ControlMessage.encode(socket.alloc(), new ControlMessage.ProbeAsk(txn, silenceMs), 0), coordinator);
    timer = scheduler.schedule(silenceMs + GRACE_MS, this::onSilence);
  }

  private void onPacket(PacketSocket s, ByteBuf data, InetSocketAddress sender) {
    try {
      if (FrameCodec.check(data) != FrameType.PROBE_ECHO) return;
      data.skipBytes(FrameCodec.HEADER_BYTES);
      ControlMessage.ProbeEcho echo = (ControlMessage.ProbeEcho) ControlMessage.decode(FrameType.PROBE_ECHO, data);
      if (state == State.PROBING && echo.txn() == txn) {
        scheduler.cancel(timer);
        aliveMs = askedMs;
        next();
      }
    } catch (WireException | ClassCastException e) {
      // not ours: ignore
    }
  }

  private void onSilence() {
    if (state != State.PROBING) return;
    failedMs = askedMs;
    next();
  }

  private void next() {
    if (failedMs == 0) {
      if (askedMs >= maxMs) finish();
      else ask(Math.min(maxMs, askedMs * 2));
    } else if (aliveMs == 0 || failedMs - aliveMs <= aliveMs / 4) {
      finish();
    } else {
      ask((aliveMs + failedMs) / 2);
    }
  }

  private void finish() {
    keepaliveMs = aliveMs == 0 ? defaultKeepaliveMs : Math.max(defaultKeepaliveMs, aliveMs * 4 / 5);
    transition(State.DONE);
    if (socket != null) socket.close();
  }

  private void transition(State to) {
    State from = state;
    state = to;
    LOG.info(() -> "NAT timeout probe " + from + " -> " + to + (to == State.DONE
      ? " (idle mapping survived " + aliveMs + " ms" + (failedMs > 0 ? ", not " + failedMs + " ms" : "") + "; keepalive "
      + keepaliveMs + " ms)" : ""));
  }

  /** The keepalive interval to use now; any thread. */
  public long keepaliveMs() {
    return keepaliveMs;
  }

  /** For {@code p2p.status}. */
  public JsonObject toJson() {
    return new JsonObject().put("state", state.name()).put("survivedMs", aliveMs).put("expiredMs", failedMs)
      .put("keepaliveMs", keepaliveMs);
  }
}
