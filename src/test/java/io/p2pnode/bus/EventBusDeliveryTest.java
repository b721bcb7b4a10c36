package io.p2pnode.bus;

import io.p2pnode.wire.SessionCodec;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.*;

/** Delivery of peer messages into the local event bus. */
@ExtendWith(VertxExtension.class)
class EventBusDeliveryTest {

  @Test
  void peersCannotReachTheNodesOwnAddresses(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().localConsumer(Addresses.STATUS, m -> ctx.failNow("a peer reached p2p.status"));
    new EventBusDelivery(vertx.eventBus())
      .deliver("mallory", new SessionCodec.Data(1, SessionCodec.KIND_REQUEST, 1000, Addresses.STATUS, null))
      .onComplete(ctx.failing(e -> ctx.verify(() -> {
        assertEquals(404, ((ReplyException) e).failureCode());
        ctx.completeNow();
      })));
  }

  @Test
  void inboundIsOpenAndCarriesFrom(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().<String>localConsumer(Addresses.INBOUND, m -> ctx.verify(() -> {
      assertEquals("alice", m.headers().get(Addresses.HEADER_FROM));
      m.reply("ok");
    }));
    new EventBusDelivery(vertx.eventBus())
      .deliver("alice", new SessionCodec.Data(1, SessionCodec.KIND_REQUEST, 0xFFFFFFFFL, Addresses.INBOUND, "hi"))
      .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertEquals("ok", r);
        ctx.completeNow();
      })));
  }

  @Test
  void aBufferBodyIsHandedOverUncopiedAndStaysAppendable(Vertx vertx, VertxTestContext ctx) {
    io.vertx.core.buffer.Buffer body = io.p2pnode.wire.BodyCodec.read(io.netty.buffer.Unpooled.buffer()
      .writeByte(2).writeBytes(new byte[] {1, 2, 3})) instanceof io.vertx.core.buffer.Buffer b ? b : null;
    assertNotNull(body);
    vertx.eventBus().<io.vertx.core.buffer.Buffer>localConsumer("files", m -> ctx.verify(() -> {
      assertSame(body, m.body(), "no copy on local delivery");
      m.body().appendString("more"); // a received buffer grows like any Vert.x buffer
      assertEquals(7, m.body().length());
      m.reply("ok");
    }));
    EventBusDelivery d = new EventBusDelivery(vertx.eventBus());
    new EventBusDelivery(vertx.eventBus()); // a second node in the same Vert.x: the codec is registered once
    d.deliver("alice", new SessionCodec.Data(1, SessionCodec.KIND_REQUEST, 1000, "files", body))
      .onComplete(ctx.succeeding(r -> ctx.completeNow()));
  }
}
