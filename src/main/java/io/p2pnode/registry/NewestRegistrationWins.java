package io.p2pnode.registry;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.vertx.core.json.JsonObject;

/**
 * Merge policy of the shared registry after a split brain heals: of the two records of a peer,
 * the one with the newer {@link PeerRecord#registeredAtMs()} wins (it holds the NAT mapping the
 * peer refreshed last). Configured by name in the Hazelcast config files under {@code cluster/}.
 */
public final class NewestRegistrationWins implements SplitBrainMergePolicy<String, MergingValue<String>, Object> {

  /** Which record wins: the newer registration; ties and unreadable records keep the existing one. */
  static boolean mergingWins(String merging, String existing) {
    if (existing == null) return true;
    return registeredAt(merging) > registeredAt(existing);
  }

  private static long registeredAt(String json) {
    try {
      return new JsonObject(json).getLong("registeredAtMs", Long.MIN_VALUE);
    } catch (RuntimeException e) {
      return Long.MIN_VALUE;
    }
  }

  @Override
  public Object merge(MergingValue<String> merging, MergingValue<String> existing) {
    if (existing == null) return merging.getRawValue();
    return mergingWins(merging.getValue(), existing.getValue()) ? merging.getRawValue() : existing.getRawValue();
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // stateless
  }

  @Override
  public void readData(ObjectDataInput in) {
    // stateless
  }
}
