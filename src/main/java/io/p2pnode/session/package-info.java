/**
 * Sessions: one {@link io.p2pnode.session.SessionVerticle} per remote peer holding a
 * {@link io.p2pnode.session.PeerSession} (punching, path, messages, liveness), created and
 * retired by the {@link io.p2pnode.session.SessionManager} on the control context.
 */
package io.p2pnode.session;
