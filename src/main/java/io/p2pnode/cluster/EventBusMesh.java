package io.p2pnode.cluster;

import io.p2pnode.bus.Addresses;
import io.p2pnode.bus.Failure;
import io.p2pnode.punch.CoordinatorMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.function.BiPredicate;

/**
 * The {@link CoordinatorMesh} over the clustered event bus: each coordinator consumes
 * {@link Addresses#mesh} of its own id; a frame for a peer of coordinator X is sent there, and X
 * sends it on from its own UDP socket.
 */
public final class EventBusMesh implements CoordinatorMesh {
  /** A coordinator that does not answer an introduction within this is taken as gone (a member's death is detected slower). */
  public static final long DELIVER_TIMEOUT_MS = 2_000;

  private final EventBus eventBus;
  private final MessageConsumer<Buffer> consumer;

  private EventBusMesh(EventBus eventBus, MessageConsumer<Buffer> consumer) {
    this.eventBus = eventBus;
    this.consumer = consumer;
  }

  /**
   * Starts consuming frames for coordinator {@code self}'s peers, handed to {@code local}
   * (peer id, frame) which returns false when the peer is not registered there.
   */
  public static Future<EventBusMesh> start(EventBus eventBus, String self, BiPredicate<String, byte[]> local) {
    MessageConsumer<Buffer> c = eventBus.consumer(Addresses.mesh(self), m -> {
      String peer = m.headers().get(Addresses.HEADER_MESH_PEER);
      boolean ok = peer != null && m.body() != null && local.test(peer, m.body().getBytes());
      if (m.replyAddress() == null) return;
      if (ok) m.reply(null);
      else m.fail(Failure.NOT_FOUND.code(), "peer " + peer + " is not registered with coordinator " + self);
    });
    return c.completion().map(v -> new EventBusMesh(eventBus, c));
  }

  @Override
  public Future<Void> deliver(String coordinator, String peerId, byte[] frame) {
    return eventBus.request(Addresses.mesh(coordinator), Buffer.buffer(frame), options(peerId).setSendTimeout(DELIVER_TIMEOUT_MS))
      .mapEmpty();
  }

  @Override
  public void forward(String coordinator, String peerId, byte[] frame) {
    eventBus.send(Addresses.mesh(coordinator), Buffer.buffer(frame), options(peerId));
  }

  private static DeliveryOptions options(String peerId) {
    return new DeliveryOptions().addHeader(Addresses.HEADER_MESH_PEER, peerId);
  }

  /** Stops taking frames. */
  public Future<Void> close() {
    return consumer.unregister();
  }
}
