/**
 * The data plane of one session: everything between an application message (or byte stream) and
 * the sealed datagrams of the session's current path, whichever path that is.
 *
 * <ul>
 *   <li><b>One loop per session</b>: every class here is single-threaded and runs on its
 *       session's event loop; time comes from the session's {@link io.p2pnode.time.Scheduler}, so
 *       each one runs on a manual clock in tests. Nothing here sends a datagram or knows about
 *       NATs: the owning session lends a {@link io.p2pnode.dataplane.FrameLink} (new frames for the
 *       current path, the way out, the path's size budget).</li>
 *   <li><b>Messages</b>: {@link io.p2pnode.dataplane.MessageExchange} is the entry point: sends and
 *       requests await their end-to-end result (429 / 413 / 504), inbound messages go to the
 *       {@link io.p2pnode.dataplane.Deliverer} once and in order per destination address.</li>
 *   <li><b>Streams per address</b>: each destination address is an ordered stream
 *       ({@code StreamOrder} at the receiver); {@code StreamQueues} interleaves streams by urgency
 *       and round robin by chunk. Byte streams ({@code OutboundStreams}, {@code InboundStreams},
 *       {@link io.p2pnode.dataplane.StreamSink}, {@link io.p2pnode.dataplane.OutboundStreamListener})
 *       have credit per stream and per session.</li>
 *   <li><b>Packetizer and reliability</b>: {@code ReliableSender} fills bundles to the path's
 *       budget (messages cut in chunks that fit any path), numbers and acknowledges them, detects
 *       losses and re-frames what was lost; {@code ReliableReceiver} acknowledges ranges,
 *       reassembles within memory limits and releases messages in order.</li>
 *   <li><b>Congestion</b>: the sender paces by a controller from {@link io.p2pnode.congestion}
 *       (BBR or NewReno) fed by {@link io.p2pnode.dataplane.RttEstimator}.</li>
 *   <li><b>PMTU</b>: {@link io.p2pnode.dataplane.PathMtu} probes how large a datagram a direct path
 *       carries (after RFC 8899).</li>
 *   <li><b>Crypto</b>: {@link io.p2pnode.dataplane.SessionCrypto} runs the handshake carried in
 *       HELLOs, seals and opens every frame (AEAD, header as associated data) and renews keys.</li>
 * </ul>
 *
 * <p>What this package needs of the node comes in one {@link io.p2pnode.dataplane.DataPlaneDeps};
 * it does not depend on {@link io.p2pnode.session}, which owns one data plane per peer session.
 */
package io.p2pnode.dataplane;
