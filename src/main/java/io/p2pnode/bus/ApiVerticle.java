package io.p2pnode.bus;

import io.netty.buffer.ByteBufUtil;
import io.p2pnode.config.NodeOptions;
import io.p2pnode.session.PeerSession;
import io.p2pnode.session.SessionManager;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.wire.BodyCodec;
import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * The application API of DESIGN §4 on this node's event bus: {@code p2p.send},
 * {@code p2p.request}, {@code p2p.connect}, {@code p2p.peers}, {@code p2p.status}. Validates
 * every request (400 names the bad field) and maps failures to the documented codes.
 *
 * <p>Every message to {@code p2p.send}/{@code p2p.request} (sent, requested or published) is taken by an
 * outbound interceptor on the sender's own thread and handed straight to its peer's session
 * thread: one thread crossing, as DESIGN §9 asks, instead of two (sender → this verticle →
 * session). On this machine a crossing to an idle event loop costs about 18 µs, as much as a
 * loopback datagram. The message is the one Vert.x would have delivered (its body copied by the
 * codec as for any consumer, unless the sender chose {@link Addresses#CODEC_HAND_OVER}); replies
 * and failures reach the sender as before. Publishes are taken too, so that one sender's messages
 * keep their order whichever way it sent them. No
 * consumer is registered for those two addresses: every message to them passes the interceptor.
 */
public final class ApiVerticle extends VerticleBase {
  private final Supplier<SessionManager> manager;
  private final Supplier<Future<JsonObject>> status;
  private final long defaultTimeoutMs;
  private final String localPeerId;
  private final int maxWaiting;
  private final Counters counters;
  private OrderedDispatch dispatch;
  private final Handler<DeliveryContext<Object>> interceptor = this::intercept;

  /**
   * @param manager          the session manager (resolved lazily: it is created on another verticle's start)
   * @param status           builds the {@code p2p.status} reply
   * @param defaultTimeoutMs {@code session.sendTimeoutMs}
   * @param maxWaiting       {@code session.maxInFlight}: messages one peer may have waiting for its session to start
   * @param counters         where messages given to the API, and failed sends without a reply address, are counted
   */
  public ApiVerticle(String localPeerId, Supplier<SessionManager> manager, Supplier<Future<JsonObject>> status,
                     long defaultTimeoutMs, int maxWaiting, Counters counters) {
    this.localPeerId = localPeerId;
    this.manager = manager;
    this.status = status;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.maxWaiting = maxWaiting;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    dispatch = new OrderedDispatch(task -> context.runOnContext(v -> task.run()), peer -> manager.get().existing(peer), peer -> manager.get().open(peer), maxWaiting);
    EventBus eb = vertx.eventBus();
    eb.addOutboundInterceptor(interceptor);
    return Future.all(
      eb.localConsumer(Addresses.PEERS, m -> answer(m, manager.get().peers())).completion(),
      eb.localConsumer(Addresses.STATUS, m -> answer(m, status.get())).completion());
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().removeOutboundInterceptor(interceptor);
    return Future.succeededFuture();
  }

  /**
   * On the sender's thread: a message to {@code p2p.send}, {@code p2p.request} or {@code p2p.connect}
   * is handled here and goes no further. A session it opens runs on the sender's event loop
   * ({@link SessionManager#open}).
   */
  private void intercept(DeliveryContext<Object> dc) {
    String address = dc.message().address();
    if (Addresses.CONNECT.equals(address)) {
      try {
        onConnect(dc.message());
      } catch (RuntimeException e) {
        fail(dc.message(), e);
      }
      return;
    }
    int kind = Addresses.SEND.equals(address) ? SessionCodec.KIND_SEND
      : Addresses.REQUEST.equals(address) ? SessionCodec.KIND_REQUEST : -1;
    if (kind < 0) {
      dc.next();
      return;
    }
    counters.messageOut(); // p2p_messages_out_total: every message given to the API, valid or not
    try {
      onMessage(dc.message(), kind);
    } catch (RuntimeException e) { // the sender's thread is the application's: it hears a 500, not an exception
      failed(dc.message(), dc.message().replyAddress() != null, e);
    }
  }

  /** Validates and dispatches one API message; any thread. */
  private void onMessage(Message<Object> m, int kind) {
    String to = m.headers().get(Addresses.HEADER_TO);
    if (to == null) {
      m.fail(Failure.BAD_REQUEST.code(), "to: header is required (the peer id)");
      return;
    }
    if (!NodeOptions.isPeerId(to)) {
      m.fail(Failure.BAD_REQUEST.code(), "to: \"" + to + "\" is not a peer id");
      return;
    }
    if (to.equals(localPeerId)) {
      m.fail(Failure.BAD_REQUEST.code(), "to: cannot send to this node itself");
      return;
    }
    String address = m.headers().get(Addresses.HEADER_ADDRESS);
    if (address == null) address = Addresses.INBOUND;
    if (address.isEmpty() || ByteBufUtil.utf8Bytes(address) > 255) {
      m.fail(Failure.BAD_REQUEST.code(), "address: must be 1-255 bytes");
      return;
    }
    if (Addresses.isReserved(address)) {
      m.fail(Failure.BAD_REQUEST.code(), "address: " + address + " is reserved (p2p.* except " + Addresses.INBOUND + ")");
      return;
    }
    long timeout = defaultTimeoutMs;
    String t = m.headers().get(Addresses.HEADER_TIMEOUT_MS);
    if (t != null) {
      try {
        timeout = Long.parseLong(t);
      } catch (NumberFormatException e) {
        timeout = -1;
      }
      if (timeout < 1 || timeout > Addresses.MAX_TIMEOUT_MS) {
        m.fail(Failure.BAD_REQUEST.code(), "timeoutMs: must be an integer 1-" + Addresses.MAX_TIMEOUT_MS + ", got \"" + t + "\"");
        return;
      }
    }
    int priority = priority(m.headers().get(Addresses.HEADER_PRIORITY));
    if (priority < 0) {
      m.fail(Failure.BAD_REQUEST.code(), "priority: must be an integer " + Addresses.MIN_PRIORITY + "-" + Addresses.MAX_PRIORITY
        + " (0 most urgent, default " + Addresses.DEFAULT_PRIORITY + "), got \"" + m.headers().get(Addresses.HEADER_PRIORITY) + "\"");
      return;
    }
    String rel = m.headers().get(Addresses.HEADER_RELIABLE);
    if (rel != null && !rel.equals("true") && !rel.equals("false")) {
      m.fail(Failure.BAD_REQUEST.code(), "reliable: must be true or false, got \"" + rel + "\"");
      return;
    }
    boolean reliable = !"false".equals(rel);
    if (!reliable && kind == SessionCodec.KIND_REQUEST) {
      m.fail(Failure.BAD_REQUEST.code(), "reliable: a request needs its reply; only p2p.send can be unreliable");
      return;
    }
    Object body;
    try {
      body = m.body();
    } catch (ClassCastException e) { // a codec that does not suit the body, such as CODEC_HAND_OVER for a String
      m.fail(Failure.BAD_REQUEST.code(), "body: does not suit its codec (" + Addresses.CODEC_HAND_OVER + ", for one, takes a Buffer only)");
      return;
    }
    if (BodyCodec.typeOf(body) < 0) {
      m.fail(Failure.BAD_REQUEST.code(), "body: type " + body.getClass().getName()
        + " cannot be sent (use String, Buffer, JsonObject or JsonArray)");
      return;
    }
    String dest = address;
    long timeoutMs = timeout;
    boolean answered = m.replyAddress() != null;
    // a send nobody waits for is as reliable and ordered, but no result crosses the network for it
    int wireKind = kind == SessionCodec.KIND_SEND && !answered && reliable ? SessionCodec.KIND_NOTIFY : kind;
    // in the order received, from the first message on: the session queues them until its path holds
    dispatch.dispatch(to, session -> {
      if (session.failed()) {
        failed(m, answered, session.cause());
        return;
      }
      session.result().run(s -> {
        Future<Object> f;
        try {
          f = s.send(wireKind, dest, body, timeoutMs, reliable, priority);
        } catch (RuntimeException e) {
          failed(m, answered, e);
          throw e; // contained by the session
        }
        f.onComplete(ar -> {
          if (ar.failed()) failed(m, answered, ar.cause());
          else if (answered) m.reply(kind == SessionCodec.KIND_SEND ? sent(s, reliable) : ar.result());
        });
      });
    });
  }

  /** The {@code priority} header: its value, the default when absent, -1 when not an integer in range. */
  static int priority(String header) {
    if (header == null) return Addresses.DEFAULT_PRIORITY;
    try {
      int p = Integer.parseInt(header.trim());
      return p >= Addresses.MIN_PRIORITY && p <= Addresses.MAX_PRIORITY ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A send failed: the application hears of it if it asked for an answer, else only the counters do. */
  private void failed(Message<?> m, boolean answered, Throwable cause) {
    if (answered) fail(m, cause);
    else counters.drop(Drop.UNCONFIRMED_SEND_FAILED);
  }

  private static JsonObject sent(PeerSession s, boolean reliable) {
    JsonObject r = new JsonObject().put("to", s.peerId()).put("path", s.path() == null ? null : s.path().wireName());
    return reliable ? r : r.put("reliable", false);
  }

  private void onConnect(Message<Object> m) {
    if (!(m.body() instanceof JsonObject body) || !(body.getValue("peerId") instanceof String peerId)) {
      m.fail(Failure.BAD_REQUEST.code(), "peerId: body must be a JSON object with a string \"peerId\"");
      return;
    }
    if (!NodeOptions.isPeerId(peerId)) {
      m.fail(Failure.BAD_REQUEST.code(), "peerId: \"" + peerId + "\" is not a peer id");
      return;
    }
    answer(m, manager.get().connect(peerId).compose(v -> v.call(s -> Future.succeededFuture(new JsonObject()
      .put("peerId", s.peerId()).put("path", s.path() == null ? null : s.path().wireName())
      .put("remote", s.toJson().getString("remote")).put("rttMs", s.rtt().hasSample() ? s.rtt().srttMs() : null)))));
  }

  private static void answer(Message<?> m, Future<?> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) m.reply(ar.result());
      else fail(m, ar.cause());
    });
  }

  private static void fail(Message<?> m, Throwable t) {
    if (t instanceof ReplyException re && re.failureCode() > 0) {
      m.fail(re.failureCode(), re.getMessage());
    } else {
      m.fail(500, String.valueOf(t.getMessage()));
    }
  }
}
