package io.p2pnode.session;

import io.p2pnode.config.PunchOptions;
import io.p2pnode.punch.ProbeBudget;
import io.p2pnode.punch.ProbeSockets;
import io.p2pnode.wire.NatProfile;

import java.util.function.Supplier;

/**
 * What a session needs for hard-NAT strategies (birthday probing, port prediction).
 *
 * @param options  section {@code punch}
 * @param sockets  the hard side's extra sockets, on the session's thread
 * @param budget   the node-wide probe pace
 * @param localNat this node's NAT profile now
 */
public record HardNatDeps(PunchOptions options, ProbeSockets sockets, ProbeBudget budget, Supplier<NatProfile> localNat) {
}
