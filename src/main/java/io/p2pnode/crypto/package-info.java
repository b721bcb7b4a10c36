/**
 * Trust: the node's cryptography, pure (no I/O except the identity file, no Vert.x).
 *
 * <ul>
 *   <li>{@link io.p2pnode.crypto.Identity}: the long-term X25519 key pair, kept in a 0600 file,
 *       and its self-certifying peer id ({@link io.p2pnode.crypto.PeerIds}).</li>
 *   <li>{@link io.p2pnode.crypto.NoiseHandshake}: the Noise Protocol Framework (revision 34),
 *       {@code Noise_IK_25519_AESGCM_SHA256} for sessions whose peer key is known, and {@code XX};
 *       patterns are data ({@link io.p2pnode.crypto.HandshakePattern}) run by one engine over
 *       {@link io.p2pnode.crypto.CipherState} and a package-private {@code SymmetricState}.
 *       Verified against the published cacophony and snow test vectors.</li>
 *   <li>{@link io.p2pnode.crypto.FrameCipher}: the data path, AES-256-GCM per frame with the
 *       frame header as associated data and its packet number as explicit nonce, on
 *       {@code ByteBuffer}s; {@link io.p2pnode.crypto.ReplayWindow} drops duplicates and stale
 *       packet numbers after authentication.</li>
 * </ul>
 *
 * <p>Everything is JDK 17 only: X25519 over {@code KeyAgreement("X25519")} with raw 32-byte keys
 * ({@link io.p2pnode.crypto.X25519}), {@code AES/GCM/NoPadding}, {@code HmacSHA256}. Failures on
 * untrusted input raise the checked {@link io.p2pnode.crypto.CryptoException} (or return false on
 * the data path); misuse raises unchecked exceptions. Stateful classes are not thread-safe: one
 * instance per session and direction, driven by one thread at a time.
 */
package io.p2pnode.crypto;
