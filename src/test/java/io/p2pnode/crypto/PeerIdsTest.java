package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pnode.config.NodeOptions;
import org.junit.jupiter.api.Test;

/** Self-certifying ids: golden value, shape, and binding to the key. */
class PeerIdsTest {
  /** RFC 7748 Alice public key. */
  private static final byte[] PK = Hex.bytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

  @Test
  void goldenId() {
    // python: base64.b32encode(sha256(b"p2p-node id v1" + pk).digest()[:20]).lower()
    assertEquals("ll53hvztsnbskqrpydwbxhb5fmnzewmx", PeerIds.of(PK));
  }

  @Test
  void idIsAValidNodePeerId() {
    for (int i = 0; i < 50; i++) {
      String id = Identity.generate().peerId();
      assertEquals(PeerIds.LENGTH, id.length());
      assertTrue(id.matches("[a-z2-7]{32}"), id);
      assertTrue(NodeOptions.PEER_ID.matcher(id).matches(), id);
      assertTrue(NodeOptions.isPeerId(id), id);
      assertTrue(PeerIds.isSelfCertifying(id));
    }
  }

  @Test
  void matchesOnlyItsOwnKey() {
    String id = PeerIds.of(PK);
    assertTrue(PeerIds.matches(id, PK));
    byte[] other = PK.clone();
    other[0] ^= 1;
    assertFalse(PeerIds.matches(id, other));
    assertFalse(PeerIds.matches(id.toUpperCase(), PK));
    assertFalse(PeerIds.matches(id, new byte[31]));
    assertFalse(PeerIds.matches(null, PK));
  }

  @Test
  void shape() {
    assertFalse(PeerIds.isSelfCertifying("ll53hvztsnbskqrpydwbxhb5fmnzewm"));
    assertFalse(PeerIds.isSelfCertifying("ll53hvztsnbskqrpydwbxhb5fmnzewmxa"));
    assertFalse(PeerIds.isSelfCertifying("ll53hvztsnbskqrpydwbxhb5fmnzewm1"));
    assertFalse(PeerIds.isSelfCertifying("ll53hvztsnbskqrpydwbxhb5fmnzewm8"));
    assertFalse(PeerIds.isSelfCertifying("LL53HVZTSNBSKQRPYDWBXHB5FMNZEWMX"));
    assertFalse(PeerIds.isSelfCertifying("alice"));
    assertFalse(PeerIds.isSelfCertifying(null));
    assertTrue(PeerIds.isSelfCertifying("ll53hvztsnbskqrpydwbxhb5fmnzewmx"));
  }
}
