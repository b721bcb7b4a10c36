/**
 * Sessions: one {@link io.p2pnode.session.SessionVerticle} per remote peer holding a
 * {@link io.p2pnode.session.PeerSession} (punching, path, messages, liveness), created and
 * retired by the {@link io.p2pnode.session.SessionManager} on the control context. A session's
 * data plane: {@code MessageExchange} over {@code ReliableSender}/{@code ReliableReceiver}; one
 * ordered stream per destination address ({@code StreamOrder}, {@code StreamQueues}: urgency
 * levels, round robin by chunk) and byte streams with credit per stream and per session
 * ({@code OutboundStreams}, {@code InboundStreams}, {@link io.p2pnode.session.StreamSink}).
 */
package io.p2pnode.session;
