package io.p2pnode.session;

import io.p2pnode.config.HeartbeatOptions;
import io.p2pnode.config.SessionOptions;
import io.p2pnode.time.Scheduler;
import io.p2pnode.transport.Counters;

/**
 * Node-wide collaborators every session shares.
 *
 * @param maxDatagramBytes the path MTU budget: no frame is larger
 */
public record SessionDeps(String localPeerId, SessionOptions session, HeartbeatOptions heartbeat, int maxDatagramBytes,
                          Scheduler scheduler, Counters counters, Deliverer deliverer) {
}
