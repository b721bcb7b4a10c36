package io.p2pnode.registry;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** In-memory registry for a standalone coordinator; bounded by {@code coordinator.maxPeers}. */
public final class LocalPeerRegistry implements PeerRegistry {
  private final Map<String, PeerRecord> records = new HashMap<>();
  private final int maxPeers;

  public LocalPeerRegistry(int maxPeers) {
    this.maxPeers = maxPeers;
  }

  @Override
  public boolean put(PeerRecord record) {
    // full: refuse new peers until the heartbeat's expire() makes room (a scan per refused
    // registration would let a flood of them pin the coordinator's thread)
    if (records.size() >= maxPeers && !records.containsKey(record.peerId())) return false;
    records.put(record.peerId(), record);
    return true;
  }

  @Override
  public PeerRecord get(String peerId, long nowMs) {
    PeerRecord r = records.get(peerId);
    return r == null || r.expiresAtMs() <= nowMs ? null : r;
  }

  @Override
  public PeerRecord remove(String peerId) {
    return records.remove(peerId);
  }

  @Override
  public int expire(long nowMs) {
    int n = 0;
    for (Iterator<PeerRecord> it = records.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAtMs() <= nowMs) {
        it.remove();
        n++;
      }
    }
    return n;
  }

  @Override
  public void forEach(java.util.function.Consumer<PeerRecord> action) {
    records.values().forEach(action);
  }

  @Override
  public int size() {
    return records.size();
  }
}
