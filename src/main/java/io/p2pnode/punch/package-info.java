/**
 * NAT traversal: the coordinator (rendezvous server: registrations, introductions) and the
 * node-side {@link io.p2pnode.punch.RendezvousClient} that registers with coordinators and asks
 * them for introductions; {@link io.p2pnode.punch.NatClassifier} makes a NAT profile of what the
 * coordinators observe. Hard NATs: {@link io.p2pnode.punch.HardNatPlan} picks a pair's role and
 * strategy, {@link io.p2pnode.punch.BirthdayProbe} runs one try (the hard side's many sockets, the
 * easy side's probes over a {@link io.p2pnode.punch.PortSequence}, paced by the node's
 * {@link io.p2pnode.punch.ProbeBudget}). Punching itself runs in the session
 * ({@code io.p2pnode.session.PeerSession}, {@code io.p2pnode.session.HardNatPunch}).
 */
package io.p2pnode.punch;
