package io.p2pnode.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity file: created 0600, reloaded identically, refused when malformed or too open. */
class IdentityTest {
  @TempDir
  Path dir;

  @Test
  void createsOwnerOnlyFileAndReloadsTheSameKeys() throws IOException {
    Path file = dir.resolve("keys/node.identity");
    Identity created = Identity.loadOrCreate(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temp file left behind");
    }
    Identity loaded = Identity.loadOrCreate(file);
    assertArrayEquals(created.keyPair().privateKey(), loaded.keyPair().privateKey());
    assertArrayEquals(created.publicKey(), loaded.publicKey());
    assertEquals(created.peerId(), loaded.peerId());
    assertTrue(PeerIds.matches(loaded.peerId(), loaded.publicKey()));
    assertNotEquals(created.peerId(), Identity.loadOrCreate(dir.resolve("other")).peerId());
  }

  @Test
  void toStringNeverShowsThePrivateKey() throws IOException {
    Identity id = Identity.loadOrCreate(dir.resolve("id"));
    byte[] sk = id.keyPair().privateKey();
    for (String text : List.of(id.toString(), id.keyPair().toString())) {
      assertFalse(text.contains(Hex.of(sk)), text);
      assertFalse(text.contains(Base64.getEncoder().encodeToString(sk)), text);
      assertTrue(text.contains(Hex.of(id.publicKey())), text);
    }
    assertTrue(id.toString().contains(id.peerId()));
  }

  @Test
  void malformedFilesAreRefusedNamingTheFile() throws IOException {
    Identity good = Identity.generate();
    String sk = Base64.getEncoder().encodeToString(good.keyPair().privateKey());
    String pk = Base64.getEncoder().encodeToString(good.publicKey());
    String other = Base64.getEncoder().encodeToString(Identity.generate().publicKey());
    List<String> bad = List.of(
        "",
        "garbage",
        "version=1\ntype=x25519\nprivate=" + sk + "\n",
        "version=2\ntype=x25519\nprivate=" + sk + "\npublic=" + pk + "\n",
        "version=1\ntype=x25519\nprivate=!!!\npublic=" + pk + "\n",
        "version=1\ntype=x25519\nprivate=AAAA\npublic=" + pk + "\n",
        "version=1\ntype=x25519\nprivate=" + sk + "\npublic=" + other + "\n",
        "version=1\ntype=x25519\nprivate=" + sk + "\nprivate=" + sk + "\npublic=" + pk + "\n",
        "version=1\ntype=x25519\nprivate=" + sk + "\npublic=" + pk + "\nextra=1\n");
    for (int i = 0; i < bad.size(); i++) {
      Path file = write("bad" + i, bad.get(i));
      IOException e = assertThrows(IOException.class, () -> Identity.loadOrCreate(file), bad.get(i));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }
    Path fine = write("fine", "# comment\n\nversion=1\ntype=x25519\npublic=" + pk + "\nprivate=" + sk + "\n");
    assertEquals(good.peerId(), Identity.loadOrCreate(fine).peerId());
  }

  @Test
  void filesOpenToGroupOrOthersAreRefused() throws IOException {
    Path file = dir.resolve("id");
    Identity.loadOrCreate(file);
    for (String mode : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rwx------")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
      IOException e = assertThrows(IOException.class, () -> Identity.loadOrCreate(file), mode);
      assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(mode), e.getMessage());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    Identity.loadOrCreate(file);
  }

  @Test
  void existingFileIsNeverOverwritten() throws IOException {
    Path file = dir.resolve("id");
    String before = Files.readString(Files.writeString(file, "not an identity"));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThrows(IOException.class, () -> Identity.loadOrCreate(file));
    assertEquals(before, Files.readString(file));
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
