/**
 * The operator's HTTP endpoint ({@code http.host}:{@code http.port}): {@code GET /metrics}
 * (Prometheus text), {@code GET /health} (the node's health checks, 503 naming the failing one),
 * {@code GET /} (the live dashboard, one self-contained page) fed by {@code GET /events}
 * (server-sent events: a sample of status and sessions every second) and {@code GET /api/sample}.
 */
package io.p2pnode.http;
