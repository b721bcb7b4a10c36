package io.p2pnode.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.p2pnode.config.HttpOptions;
import io.p2pnode.metrics.NodeSampler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP endpoint: {@code GET /metrics}, {@code GET /health}, the dashboard at {@code GET /},
 * its live feed {@code GET /events} (server-sent events, one sample per second) and the latest
 * sample at {@code GET /api/sample}. Everything it shows comes from the sampler, the meter
 * registry and the health checks: it holds no node state of its own.
 */
public final class HttpVerticle extends VerticleBase {
  /** The dashboard, one self-contained page (inline CSS, JS and SVG: it works offline). */
  static final String DASHBOARD = "/io/p2pnode/http/dashboard.html";

  private final HttpOptions options;
  private final PrometheusMeterRegistry registry;
  private final NodeProbe probe;
  private final NodeSampler sampler;
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private HttpServer server;

  public HttpVerticle(HttpOptions options, PrometheusMeterRegistry registry, NodeProbe probe, NodeSampler sampler) {
    this.options = options;
    this.registry = registry;
    this.probe = probe;
    this.sampler = sampler;
  }

  @Override
  public Future<?> start() {
    Context ctx = context;
    sampler.onSample(s -> ctx.runOnContext(v -> broadcast(event(s))));
    return vertx.executeBlocking(HttpVerticle::dashboard).compose(page -> {
      Router router = Router.router(vertx);
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
      router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(NodeHealth.create(vertx, probe)));
      router.get("/events").handler(rc -> stream(rc.response()));
      router.get("/api/sample").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
        .end(sampler.last().toJson().encode()));
      router.get("/").handler(rc -> rc.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache").end(page));
      return vertx.createHttpServer().requestHandler(router).listen(options.port(), options.host());
    }).onSuccess(s -> server = s)
      .recover(err -> Future.failedFuture(new IllegalStateException("cannot listen on http.port " + options.host() + ":"
        + options.port() + ": " + err.getMessage(), err)));
  }

  private static Buffer dashboard() throws IOException {
    try (InputStream in = HttpVerticle.class.getResourceAsStream(DASHBOARD)) {
      if (in == null) throw new IOException("resource " + DASHBOARD + " missing from the jar");
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private void stream(HttpServerResponse r) {
    r.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
    r.write("retry: 2000\n\n");
    r.write(event(sampler.last()));
    streams.add(r);
    r.closeHandler(v -> streams.remove(r));
    r.exceptionHandler(e -> streams.remove(r));
  }

  private static String event(NodeSampler.Sample s) {
    return "data: " + s.toJson().encode() + "\n\n";
  }

  /** On this verticle's loop (every connection's): a client that does not read misses samples, never buffers them. */
  private void broadcast(String event) {
    for (HttpServerResponse r : streams) {
      if (!r.writeQueueFull()) r.write(event);
    }
  }

  /** The port listened on. */
  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    for (HttpServerResponse r : streams) r.end();
    streams.clear();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
