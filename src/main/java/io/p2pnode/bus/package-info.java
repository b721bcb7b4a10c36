/**
 * The application API: event-bus {@link io.p2pnode.bus.Addresses}, the
 * {@link io.p2pnode.bus.ApiVerticle} that serves them, failure codes, delivery of inbound peer
 * messages, the TCP bridge and the {@link io.p2pnode.bus.P2pClient} facade; byte streams for
 * embedded applications ({@link io.p2pnode.bus.P2pWriteStream}, {@link io.p2pnode.bus.P2pReadStream},
 * routed by {@link io.p2pnode.bus.NodeStreams}; files sent from reused arrays by
 * {@link io.p2pnode.bus.FileSender}; a reset by either end is a {@link io.p2pnode.bus.StreamResetException}).
 */
package io.p2pnode.bus;
