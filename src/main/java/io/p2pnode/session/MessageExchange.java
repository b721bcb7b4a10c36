package io.p2pnode.session;

import io.netty.buffer.ByteBuf;
import io.p2pnode.bus.Failure;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BodyCodec;
import io.p2pnode.wire.FrameCodec;
import io.p2pnode.wire.FrameType;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application messages of one session: outbound ones await their RESULT (bounded by
 * {@code session.maxInFlight}, 504 after their timeout) and are kept whole so they can be sent
 * again on a new path; inbound ones are handed to the {@link Deliverer} once, and the results of
 * recent ones are remembered so a message re-sent after a path change is answered, not delivered
 * twice. Single-threaded, on the session's thread.
 */
final class MessageExchange {
  /** Extra time a sender waits past the end-to-end timeout, so the remote's own 504 can come back. */
  private static final long RESULT_GRACE_MS = 1_000;
  private static final long SWEEP_MS = 50;
  private static final int RECENT_RESULTS = 1024;
  private static final Object IN_DELIVERY = new Object();

  /** A message awaiting its RESULT. */
  private record Pending(Promise<Object> promise, long deadlineNanos, int kind, String address, Object body, long timeoutMs) {
  }

  /** The result of a delivered message. */
  private record Outcome(int code, Object body) {
  }

  private final SessionDeps deps;
  private final String peerId;
  private final FrameLink link;
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private final Map<Long, Object> recentResults = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
      return size() > RECENT_RESULTS && eldest.getValue() != IN_DELIVERY;
    }
  };
  private int inboundPending;
  private long nextMsgId;
  private long sweepTimer = -1;

  MessageExchange(SessionDeps deps, String peerId, FrameLink link) {
    this.deps = deps;
    this.peerId = peerId;
    this.link = link;
  }

  // ---------------------------------------------------------------- outbound

  /**
   * Sends (or, with {@code hold}, only queues) a message. Fails fast with 429 or 413/400.
   *
   * @param hold keep it for {@link #resendPending} instead of sending it into a path being re-punched
   */
  Future<Object> send(int kind, String address, Object body, long timeoutMs, boolean hold) {
    if (pending.size() >= deps.session().maxInFlight()) {
      return Future.failedFuture(Failure.QUEUE_FULL.exception(pending.size() + " messages to " + peerId
        + " await delivery (session.maxInFlight)"));
    }
    long id = nextMsgId + 1;
    ByteBuf out;
    try {
      out = encodeData(id, kind, timeoutMs, address, body);
    } catch (ReplyException e) {
      return Future.failedFuture(e);
    }
    nextMsgId = id;
    Promise<Object> promise = Promise.promise();
    pending.put(id, new Pending(promise, now() + (timeoutMs + RESULT_GRACE_MS) * 1_000_000L, kind, address, body, timeoutMs));
    if (sweepTimer < 0) sweepTimer = deps.scheduler().schedule(SWEEP_MS, this::sweep);
    if (hold) out.release();
    else link.transmit(out);
    return promise.future();
  }

  /**
   * A DATA frame for the current path.
   *
   * @throws ReplyException 413 when it does not fit the path's budget, 400 when the body cannot be encoded
   */
  private ByteBuf encodeData(long id, int kind, long timeoutMs, String address, Object body) {
    int budget = link.budget();
    int overhead = FrameCodec.HEADER_BYTES + 8 + 1 + 4 + 1 + address.length();
    if (overhead + BodyCodec.minEncodedBytes(body) > budget) throw tooLarge(overhead + BodyCodec.minEncodedBytes(body));
    // capped at one byte over budget: an oversized body stops being copied as soon as it is known to be too big
    ByteBuf out = link.newFrame(FrameType.DATA, Math.min(budget, overhead + 64), budget + 1);
    try {
      SessionCodec.writeData(out, id, kind, timeoutMs, address, body);
    } catch (IndexOutOfBoundsException e) {
      out.release();
      throw tooLarge(budget + 1);
    } catch (RuntimeException e) {
      out.release();
      throw Failure.BAD_REQUEST.exception("body: cannot be encoded (" + e.getMessage() + ")");
    }
    if (out.readableBytes() > budget) {
      int size = out.readableBytes();
      out.release();
      throw tooLarge(size);
    }
    return out;
  }

  private ReplyException tooLarge(int size) {
    return Failure.TOO_LARGE.exception("message of at least " + size + " bytes does not fit one datagram of "
      + link.budget() + " bytes on this path");
  }

  /** Sends every message still awaiting its result again, on the path just locked. */
  void resendPending() {
    for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Pending> e = it.next();
      Pending p = e.getValue();
      try {
        link.transmit(encodeData(e.getKey(), p.kind, p.timeoutMs, p.address, p.body));
      } catch (ReplyException tooBigNow) { // e.g. the relay's smaller budget
        it.remove();
        p.promise.fail(tooBigNow);
      }
    }
  }

  void onResult(SessionCodec.Result r) {
    Pending p = pending.remove(r.msgId());
    if (p == null) {
      deps.counters().drop(Drop.STALE_REPLY);
      return;
    }
    if (r.code() == SessionCodec.OK) p.promise.complete(r.body());
    else p.promise.fail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, r.code(), (String) r.body()));
  }

  private void sweep() {
    sweepTimer = -1;
    long now = now();
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now - p.deadlineNanos >= 0) {
        it.remove();
        p.promise.fail(Failure.TIMEOUT.exception("no result from " + peerId + " in time"));
      }
    }
    if (!pending.isEmpty() && link.open()) sweepTimer = deps.scheduler().schedule(SWEEP_MS, this::sweep);
  }

  /** The session closed: every message awaiting its result fails with 503. */
  void failAll(String reason) {
    if (sweepTimer >= 0) deps.scheduler().cancel(sweepTimer);
    List<Pending> failed = new ArrayList<>(pending.values());
    pending.clear();
    for (Pending p : failed) p.promise.fail(Failure.UNREACHABLE.exception("session with " + peerId + " closed: " + reason));
  }

  int inFlight() {
    return pending.size();
  }

  // ---------------------------------------------------------------- inbound

  void onData(SessionCodec.Data data) {
    Object seen = recentResults.get(data.msgId());
    if (seen == IN_DELIVERY) return; // re-sent while its consumer still works on it
    if (seen instanceof Outcome o) { // re-sent after a path change: the result was lost, not the message
      sendResult(data.msgId(), o.code, o.body);
      return;
    }
    if (inboundPending >= deps.session().maxInFlight()) {
      sendResult(data.msgId(), Failure.QUEUE_FULL.code(), inboundPending + " messages from " + peerId
        + " await a consumer on " + deps.localPeerId());
      return;
    }
    inboundPending++;
    recentResults.put(data.msgId(), IN_DELIVERY);
    deps.deliverer().deliver(peerId, data).onComplete(ar -> {
      inboundPending--;
      Outcome o;
      if (ar.succeeded()) {
        o = new Outcome(SessionCodec.OK, data.kind() == SessionCodec.KIND_REQUEST ? ar.result() : null);
      } else {
        int code = Failure.codeOf(ar.cause());
        o = new Outcome(code < 1 || code > 65535 ? 500 : code, String.valueOf(ar.cause().getMessage()));
      }
      recentResults.put(data.msgId(), o);
      if (link.open()) sendResult(data.msgId(), o.code, o.body);
    });
  }

  private void sendResult(long msgId, int code, Object body) {
    if (BodyCodec.typeOf(body) < 0) {
      code = Failure.BAD_REQUEST.code();
      body = "reply body type " + body.getClass().getName() + " cannot be sent to a peer";
    }
    int budget = link.budget();
    ByteBuf out = link.newFrame(FrameType.RESULT, 64, budget + 1);
    try {
      SessionCodec.writeResult(out, msgId, code, body);
      if (out.readableBytes() > budget) throw new IndexOutOfBoundsException();
    } catch (IndexOutOfBoundsException tooBig) {
      out.release();
      out = link.newFrame(FrameType.RESULT, 64, budget);
      SessionCodec.writeResult(out, msgId, Failure.TOO_LARGE.code(), "reply larger than one datagram (" + budget + " bytes)");
    }
    link.transmit(out);
  }

  private long now() {
    return deps.scheduler().clock().nanoTime();
  }
}
