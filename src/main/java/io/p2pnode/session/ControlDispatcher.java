package io.p2pnode.session;

import io.p2pnode.punch.RendezvousClient;
import io.p2pnode.transport.Counters;
import io.p2pnode.transport.Drop;
import io.p2pnode.transport.InboundControl;
import io.p2pnode.wire.ControlMessage;
import io.p2pnode.wire.ControlMessage.ConnectFail;
import io.p2pnode.wire.ControlMessage.Hello;
import io.p2pnode.crypto.PeerIds;
import io.p2pnode.wire.ControlMessage.Introduce;
import io.p2pnode.wire.ControlMessage.RegisterAck;

/**
 * Node-side control frames to their handler: HELLO to the session manager, REGISTER_ACK and
 * answers to our requests to the rendezvous client, unsolicited INTRODUCE to the session
 * manager. Single-threaded (the control context, or the lab's thread).
 */
public final class ControlDispatcher {
  private final SessionManager manager;
  private final RendezvousClient rendezvous;
  private final Counters counters;

  public ControlDispatcher(SessionManager manager, RendezvousClient rendezvous, Counters counters) {
    this.manager = manager;
    this.rendezvous = rendezvous;
    this.counters = counters;
  }

  public void handle(InboundControl in) {
    ControlMessage msg = in.message();
    if (msg instanceof Hello h) {
      manager.onHello(h, in.sender());
    } else if (msg instanceof RegisterAck ack) {
      rendezvous.onRegisterAck(ack, in.sender());
    } else if (msg instanceof ControlMessage.RegisterChallenge ch) {
      rendezvous.onChallenge(ch, in.sender());
    } else if (msg instanceof Introduce intro) {
      // only a coordinator of ours may introduce: anyone else could steer our sessions
      if (!rendezvous.isCoordinator(in.sender())) counters.drop(Drop.UNTRUSTED_CONTROL);
      // a self-certifying id vouches for its key: not even our coordinator can swap it
      else if (PeerIds.isSelfCertifying(intro.peerId()) && !PeerIds.matches(intro.peerId(), intro.key().bytes())) {
        counters.drop(Drop.KEY_MISMATCH);
      } else if (!rendezvous.onReply(intro)) {
        manager.onIntroduce(intro, in.sender());
      }
    } else if (msg instanceof ConnectFail f) {
      if (!rendezvous.isCoordinator(in.sender())) counters.drop(Drop.UNTRUSTED_CONTROL);
      else if (!rendezvous.onReply(f)) counters.drop(Drop.STALE_REPLY);
    } else {
      counters.drop(Drop.UNEXPECTED_CONTROL);
    }
  }
}
