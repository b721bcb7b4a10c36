package io.p2pnode.crypto;

import java.util.HexFormat;

/** Test helper: hex strings. */
final class Hex {
  private Hex() {
  }

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  static String of(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
