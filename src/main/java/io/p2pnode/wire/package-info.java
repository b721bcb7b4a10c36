/**
 * Wire codecs: pure functions over Netty {@code ByteBuf}s, no I/O. {@link io.p2pnode.wire.Demux}
 * classifies a datagram (STUN, node frame, garbage); {@link io.p2pnode.wire.FrameCodec} reads and
 * writes the frame header; {@link io.p2pnode.wire.ControlMessage} and
 * {@link io.p2pnode.wire.SessionCodec} the payloads; {@link io.p2pnode.wire.StunCodec} RFC 8489
 * Binding. Malformed input raises {@link io.p2pnode.wire.WireException}, which receivers count as a drop.
 * Codecs work on {@code ByteBuf} rather than Vert.x {@code Buffer} so the transport can hand them
 * pooled direct buffers with no copy or wrapper per datagram.
 */
package io.p2pnode.wire;
