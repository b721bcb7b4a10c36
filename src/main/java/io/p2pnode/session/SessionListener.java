package io.p2pnode.session;

/** What a {@link PeerSession} tells its owner about its life. Called on the session's thread. */
public interface SessionListener {
  void onUp(PeerSession session);

  void onDown(PeerSession session, String reason);

  void onPathChanged(PeerSession session, Path previous);
}
