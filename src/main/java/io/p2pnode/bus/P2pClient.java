package io.p2pnode.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Typed facade over the node's event-bus API for applications in the same JVM. Everything here
 * is a thin call to the addresses in {@link Addresses}; failures are {@code ReplyException}s with
 * the codes of {@link Failure}.
 */
public final class P2pClient {
  /** What the embedded-only calls say on a Vert.x instance without a node. */
  private static final String NO_NODE = "no p2p node runs on this Vert.x instance";
  private final Vertx vertx;
  private final EventBus eventBus;

  private P2pClient(Vertx vertx) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
  }

  public static P2pClient create(Vertx vertx) {
    return new P2pClient(vertx);
  }

  /**
   * Opens a byte stream to {@code address} on peer {@code to} (connecting first if need be): a
   * {@code WriteStream<Buffer>} of any length, ordered, flow-controlled by the receiver's reader
   * and independent of every other stream and address of that peer. {@code file.pipeTo(stream)}
   * sends a file. Fails with 400 (bad argument), 429 ({@code session.maxStreams} open), 404/503 as
   * a send does; a stream nobody takes on the peer fails later with 404. Embedded API: needs the
   * node on this Vert.x instance.
   */
  public Future<P2pWriteStream> openStream(String to, String address) {
    return openStream(to, address, Addresses.DEFAULT_PRIORITY);
  }

  /** As {@link #openStream(String, String)} at urgency {@code priority} (0 most urgent to 7, default 3). */
  public Future<P2pWriteStream> openStream(String to, String address, int priority) {
    io.vertx.core.internal.ContextInternal ctx = (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext();
    NodeStreams streams = NodeStreams.of(vertx);
    if (streams == null) return ctx.failedFuture(Failure.UNREACHABLE.exception(NO_NODE));
    return streams.open(ctx, to, address, priority);
  }

  /**
   * Byte streams peers open to {@code address} on this node go to {@code handler}, one
   * {@link P2pReadStream} each (with the sender's peer id), on the caller's context; {@code null}
   * stops taking them (new ones are refused: the sender gets 404).
   */
  public P2pClient streamHandler(String address, Handler<P2pReadStream> handler) {
    NodeStreams streams = NodeStreams.of(vertx);
    if (streams == null) throw new IllegalStateException(NO_NODE);
    streams.handle(address, (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext(), handler);
    return this;
  }

  /** Sends {@code body} to {@code address} on peer {@code to}; completes once delivered there. */
  public Future<JsonObject> send(String to, String address, Object body) {
    return eventBus.<JsonObject>request(Addresses.SEND, body, headers(to, address)).map(Message::body);
  }

  /**
   * As {@link #send(String, String, Object)}, but hands {@code body} over instead of letting the event
   * bus copy it ({@link Addresses#CODEC_HAND_OVER}): the node sends these very bytes, so the caller
   * must not change them afterwards. Saves a copy of each large body.
   */
  public Future<JsonObject> handOver(String to, String address, Buffer body) {
    if (NodeStreams.of(vertx) == null) { // the codec is registered by the node: without one, no event-bus error but this
      return Future.failedFuture(Failure.UNREACHABLE.exception(NO_NODE));
    }
    return eventBus.<JsonObject>request(Addresses.SEND, body, headers(to, address).setCodecName(Addresses.CODEC_HAND_OVER))
      .map(Message::body);
  }

  /** Sends to the peer's default inbound address. */
  public Future<JsonObject> send(String to, Object body) {
    return send(to, Addresses.INBOUND, body);
  }

  /** Sends a request to {@code address} on peer {@code to}; completes with the remote reply body. */
  public <T> Future<T> request(String to, String address, Object body) {
    return eventBus.<T>request(Addresses.REQUEST, body, headers(to, address)).map(Message::body);
  }

  /** Connects to a peer; completes with {@code {"peerId","path","remote","rttMs"}}. */
  public Future<JsonObject> connect(String peerId) {
    return eventBus.<JsonObject>request(Addresses.CONNECT, new JsonObject().put("peerId", peerId)).map(Message::body);
  }

  public Future<JsonObject> peers() {
    return eventBus.<JsonObject>request(Addresses.PEERS, null).map(Message::body);
  }

  public Future<JsonObject> status() {
    return eventBus.<JsonObject>request(Addresses.STATUS, null).map(Message::body);
  }

  /** Consumes messages peers send to {@code address} on this node; header {@code from} names the sender. */
  public <T> MessageConsumer<T> onInbound(String address, Handler<Message<T>> handler) {
    return eventBus.localConsumer(address, handler);
  }

  /** As {@link #send(String, String, Object)} at urgency {@code priority} (0 most urgent to 7, default 3). */
  public Future<JsonObject> send(String to, String address, Object body, int priority) {
    return eventBus.<JsonObject>request(Addresses.SEND, body, headers(to, address)
      .addHeader(Addresses.HEADER_PRIORITY, Integer.toString(priority))).map(Message::body);
  }

  private static DeliveryOptions headers(String to, String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, to).addHeader(Addresses.HEADER_ADDRESS, address);
  }
}
