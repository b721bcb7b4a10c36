package io.p2pnode.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The node's long-term X25519 key pair and the self-certifying {@link PeerIds peer id} derived
 * from it. {@link #loadOrCreate} keeps it in a file readable by its owner only (mode 0600),
 * written once, atomically; {@link IdentityFile} holds the format. {@link #toString()} shows the
 * peer id and public key, never the private key.
 */
public final class Identity {
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final int MAX_FILE_BYTES = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X25519KeyPair keyPair;
  private final String peerId;

  private Identity(X25519KeyPair keyPair) {
    this.keyPair = keyPair;
    this.peerId = PeerIds.of(keyPair.publicKeyRef());
  }

  /** A fresh identity that lives in memory only. */
  public static Identity generate() {
    return new Identity(X25519KeyPair.generate(RANDOM));
  }

  /** The identity of a raw 32-byte private key. */
  public static Identity fromPrivateKey(byte[] privateKey) {
    return new Identity(X25519KeyPair.fromPrivate(privateKey));
  }

  /**
   * Loads the identity in {@code file}, or creates one there (mode 0600, parent directories 0700)
   * when there is no such file. If another process creates the file at the same moment, its
   * identity wins and is loaded.
   *
   * @throws IOException naming the file when it cannot be read or written, is malformed, or is
   *     accessible to group or others
   */
  public static Identity loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) return load(file);
    Identity created = generate();
    if (create(file, IdentityFile.format(created.keyPair))) return created;
    return load(file);
  }

  /** Loads an existing identity file; see {@link #loadOrCreate} for the errors. */
  public static Identity load(Path file) throws IOException {
    checkPermissions(file);
    if (Files.size(file) > MAX_FILE_BYTES) throw new IOException("malformed identity file " + file + ": too large");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return new Identity(IdentityFile.parse(file, text));
  }

  /** The key pair, for handshakes (not a copy: do not destroy it). */
  public X25519KeyPair keyPair() {
    return keyPair;
  }

  public byte[] publicKey() {
    return keyPair.publicKey();
  }

  /** The self-certifying peer id, {@link PeerIds#of} the public key. */
  public String peerId() {
    return peerId;
  }

  @Override
  public String toString() {
    return "Identity[peerId=" + peerId + ", public=" + X25519.hex(keyPair.publicKeyRef()) + "]";
  }

  private static void checkPermissions(Path file) throws IOException {
    if (!isPosix(file)) return;
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(perms)) {
      throw new IOException("identity file " + file + " has permissions " + PosixFilePermissions.toString(perms)
          + "; it holds a private key and must be rw------- (chmod 600 " + file + ")");
    }
  }

  /** Writes a temp file (0600) next to {@code file}, then links it into place; false if {@code file} appeared meanwhile. */
  private static boolean create(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = isPosix(dir);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------"))} : new FileAttribute<?>[0]);
    }
    FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attrs);
    try {
      writeDurably(tmp, content);
      return publish(tmp, file);
    } catch (IOException e) {
      throw new IOException("cannot write identity file " + file + ": " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Hard link (fails if the target exists: never clobbers) or, where unsupported, atomic rename. */
  private static boolean publish(Path tmp, Path file) throws IOException {
    try {
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return true;
    }
  }

  private static void writeDurably(Path path, String content) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) ch.write(bytes);
      ch.force(true);
    }
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
