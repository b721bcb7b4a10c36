/**
 * NAT traversal: the coordinator (rendezvous server: registrations, introductions) and the
 * node-side {@link io.p2pnode.punch.RendezvousClient} that registers with coordinators and asks
 * them for introductions. Punching itself runs in the session ({@code io.p2pnode.session.PeerSession}).
 */
package io.p2pnode.punch;
