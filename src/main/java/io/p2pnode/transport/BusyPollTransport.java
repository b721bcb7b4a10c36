package io.p2pnode.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;

/**
 * Vert.x's native epoll transport whose event loops busy-poll for a while after each piece of work
 * ({@link BusyPollStrategy}). The node uses it for the Vert.x it creates (config key
 * {@code busyPollMicros}); an application that embeds a node can build its own Vert.x on it:
 *
 * <pre>{@code
 * Vertx vertx = Vertx.builder().withTransport(BusyPollTransport.epoll(50)).build();
 * }</pre>
 *
 * Everything else (datagram channels, socket options, GSO and GRO) is Vert.x's epoll transport.
 */
public final class BusyPollTransport implements Transport {
  /** The longest spin accepted: beyond 10 ms a loop would rather block and pay its wake-up. */
  public static final long MAX_MICROS = 10_000;

  private final Impl impl;

  private BusyPollTransport(long micros) {
    this.impl = new Impl(micros);
  }

  /**
   * The epoll transport, busy-polling {@code micros} after each piece of work.
   *
   * @throws IllegalArgumentException when {@code micros} is not in 1..{@link #MAX_MICROS}
   */
  public static BusyPollTransport epoll(long micros) {
    if (micros < 1 || micros > MAX_MICROS) {
      throw new IllegalArgumentException("busy-poll micros must be 1-" + MAX_MICROS + ", got " + micros);
    }
    return new BusyPollTransport(micros);
  }

  /** The busy-poll time of {@code vertx}'s event loops in µs: 0 when it runs on another transport. */
  public static long micros(Vertx vertx) {
    return vertx instanceof VertxInternal v && v.transport() instanceof Impl i ? i.micros : 0;
  }

  @Override
  public String name() {
    return "epoll";
  }

  @Override
  public boolean available() {
    return Epoll.isAvailable();
  }

  @Override
  public Throwable unavailabilityCause() {
    return Epoll.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return impl;
  }

  /** Vert.x's epoll transport with the busy-polling select strategy on each loop. */
  private static final class Impl extends EpollTransport {
    private final long micros;

    Impl(long micros) {
      this.micros = micros;
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return BusyPollStrategy.epollHandlers(micros);
    }
  }
}
