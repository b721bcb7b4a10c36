/**
 * What the node measures about itself for operators: the event-loop watchdog
 * ({@link io.p2pnode.metrics.LoopWatchdog}), the {@code p2p_*} Micrometer meters bound to the
 * node's existing counters ({@link io.p2pnode.metrics.NodeMeters}), and the once-a-second
 * snapshot of status and sessions that the meters, the health checks and the dashboard share
 * ({@link io.p2pnode.metrics.NodeSampler}).
 */
package io.p2pnode.metrics;
