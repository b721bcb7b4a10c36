/**
 * Sessions: one {@link io.p2pnode.session.SessionVerticle} per remote peer holding a
 * {@link io.p2pnode.session.PeerSession}, created and retired by the
 * {@link io.p2pnode.session.SessionManager} on the control context. A session is the thin owner of
 * two state machines on its clock: its {@link io.p2pnode.session.PathFinder} (introductions,
 * {@link io.p2pnode.session.Candidate}s, punch rounds ({@link io.p2pnode.session.PunchAttempt}), TCP
 * punching ({@link io.p2pnode.session.TcpPunch}), hard-NAT tries ({@link io.p2pnode.session.HardNatPunch}),
 * relay fallback, upgrade, recovery, roaming) and its data plane ({@link io.p2pnode.dataplane}: one
 * {@link io.p2pnode.dataplane.MessageExchange}), which writes through the session's
 * {@link io.p2pnode.session.SessionLink} (framing, sealing, the connected path socket, the relay).
 * The session itself keeps the lifecycle ({@code CONNECTING → UP → CLOSED}), liveness and the
 * routing of inbound frames.
 */
package io.p2pnode.session;
