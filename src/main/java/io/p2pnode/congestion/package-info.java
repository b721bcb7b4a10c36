/**
 * Congestion control of the data plane: how fast a session may send.
 *
 * <ul>
 *   <li>{@link io.p2pnode.congestion.CongestionController}: what a sender tells a controller (packets sent, acknowledged, lost)
 *       and what it asks of it (congestion window, pacing rate, send quantum).</li>
 *   <li>{@link io.p2pnode.congestion.RateSampler}: the delivery-rate sampler of draft-ietf-ccwg-bbr §4.5 (ngtcp2's
 *       {@code ngtcp2_rst.c}).</li>
 *   <li>{@link io.p2pnode.congestion.Bbr}: BBRv3 per draft-ietf-ccwg-bbr (model: ngtcp2's {@code ngtcp2_bbr.c}), the
 *       default; {@link io.p2pnode.congestion.NewReno}: the classic loss-based window, kept for comparison.
 *       {@code StandingQueue} (not in the draft) corrects BBR's bandwidth estimate when a queue stands at the
 *       bottleneck for two rounds (late ACK handling in this process inflates delivery-rate samples).</li>
 *   <li>{@link io.p2pnode.congestion.Pacer} (per session) and {@link io.p2pnode.congestion.PacingTimer} (one timer per
 *       event loop): datagrams leave at the pacing rate in quanta of about 1 ms of data.</li>
 * </ul>
 * Everything is pure and single-threaded; time comes from {@link io.p2pnode.time}, so tests run on a manual clock.
 */
package io.p2pnode.congestion;
