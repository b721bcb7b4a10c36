/**
 * Sessions: one {@link io.p2pnode.session.SessionVerticle} per remote peer holding a
 * {@link io.p2pnode.session.PeerSession} (lifecycle, path, liveness), created and retired by the
 * {@link io.p2pnode.session.SessionManager} on the control context. Path finding lives here
 * (candidates, {@link io.p2pnode.session.PunchAttempt}, TCP punching, hard-NAT tries, relay and
 * upgrade); the session's data plane (messages, streams, reliability, congestion, crypto, path
 * MTU) is {@link io.p2pnode.dataplane}, one {@link io.p2pnode.dataplane.MessageExchange} per session.
 */
package io.p2pnode.session;
