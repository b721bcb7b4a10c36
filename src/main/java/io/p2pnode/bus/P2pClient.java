package io.p2pnode.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
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
  private final EventBus eventBus;

  private P2pClient(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  public static P2pClient create(Vertx vertx) {
    return new P2pClient(vertx.eventBus());
  }

  /** Sends {@code body} to {@code address} on peer {@code to}; completes once delivered there. */
  public Future<JsonObject> send(String to, String address, Object body) {
    return eventBus.<JsonObject>request(Addresses.SEND, body, headers(to, address)).map(Message::body);
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

  private static DeliveryOptions headers(String to, String address) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_TO, to).addHeader(Addresses.HEADER_ADDRESS, address);
  }
}
