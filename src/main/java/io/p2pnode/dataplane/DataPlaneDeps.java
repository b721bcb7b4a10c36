package io.p2pnode.dataplane;

import io.p2pnode.config.SessionOptions;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one session's data plane ({@link MessageExchange}) needs of the node: options, the session's
 * clock, counters and the way inbound messages and byte streams reach local consumers. Built by
 * the session layer ({@code SessionDeps.dataPlane()}), so this package does not depend on it.
 *
 * @param session          the {@code session.*} options (windows, limits, congestion controller)
 * @param maxDatagramBytes the datagram budget every path carries ({@code listen.maxDatagramBytes})
 * @param scheduler        the session's clock and timers
 * @param counters         drops and faults, node-wide
 * @param deliverer        hands inbound messages to consumers on this node
 * @param reassemblyBytes  reassembly memory held by all sessions of the node
 * @param sealed           whether frames are sealed (an AEAD tag takes room in every datagram)
 * @param streams          where byte streams the peer opens go
 * @param random           this data plane's congestion controller's randomness
 */
public record DataPlaneDeps(SessionOptions session, int maxDatagramBytes, Scheduler scheduler, Counters counters,
                            Deliverer deliverer, AtomicLong reassemblyBytes, boolean sealed, StreamSink streams,
                            Random random) {
}
