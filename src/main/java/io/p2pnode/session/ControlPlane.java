package io.p2pnode.session;

import io.p2pnode.punch.RendezvousClient;

/** The node's control plane: rendezvous client, session manager and the dispatcher in front of them. */
public record ControlPlane(RendezvousClient rendezvous, SessionManager manager, ControlDispatcher dispatcher) {
}
