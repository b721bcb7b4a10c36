package io.p2pnode.crypto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The identity file format, UTF-8 text of {@code key=value} lines; {@code #} starts a comment:
 *
 * <pre>
 * # p2p-node identity ...
 * version=1
 * type=x25519
 * private=&lt;base64 of the raw 32-byte private key&gt;
 * public=&lt;base64 of the raw 32-byte public key&gt;
 * </pre>
 *
 * The public key is redundant and checked against the private key, which catches a truncated or
 * hand-edited file.
 */
final class IdentityFile {
  private IdentityFile() {
  }

  static String format(X25519KeyPair keyPair) {
    Base64.Encoder b64 = Base64.getEncoder();
    return "# p2p-node identity: X25519 key pair. Secret: keep mode 0600, never share.\n"
        + "version=1\n"
        + "type=x25519\n"
        + "private=" + b64.encodeToString(keyPair.privateKeyRef()) + "\n"
        + "public=" + b64.encodeToString(keyPair.publicKeyRef()) + "\n";
  }

  static X25519KeyPair parse(Path file, String text) throws IOException {
    Map<String, String> fields = fields(file, text);
    if (!"1".equals(fields.get("version")) || !"x25519".equals(fields.get("type"))) {
      throw malformed(file, "expected version=1 and type=x25519");
    }
    byte[] sk = key(file, fields, "private");
    byte[] pk = key(file, fields, "public");
    X25519KeyPair keyPair = X25519KeyPair.fromPrivate(sk);
    Arrays.fill(sk, (byte) 0);
    if (!Arrays.equals(pk, keyPair.publicKeyRef())) throw malformed(file, "public key does not match private key");
    return keyPair;
  }

  private static Map<String, String> fields(Path file, String text) throws IOException {
    Map<String, String> fields = new HashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int eq = line.indexOf('=');
      if (eq <= 0) throw malformed(file, "line without key=value");
      String name = line.substring(0, eq).strip();
      if (!Arrays.asList("version", "type", "private", "public").contains(name)) throw malformed(file, "unknown field " + name);
      if (fields.put(name, line.substring(eq + 1).strip()) != null) throw malformed(file, "duplicate field " + name);
    }
    return fields;
  }

  private static byte[] key(Path file, Map<String, String> fields, String name) throws IOException {
    String value = fields.get(name);
    if (value == null) throw malformed(file, "no " + name + " key");
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw malformed(file, name + " key is not base64");
    }
    if (key.length != X25519.KEY_BYTES) throw malformed(file, name + " key is " + key.length + " bytes, not 32");
    return key;
  }

  private static IOException malformed(Path file, String why) {
    return new IOException("malformed identity file " + file + ": " + why);
  }
}
