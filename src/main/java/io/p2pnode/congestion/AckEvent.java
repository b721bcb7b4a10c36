package io.p2pnode.congestion;

/**
 * What one ACK frame told the sender, after its packets were handed to the {@link RateSampler} and
 * loss detection ran.
 *
 * @param bytesDelivered    bytes of packets newly acknowledged by this ACK
 * @param bytesLost         bytes of packets declared lost while processing it
 * @param packetDelivered   the sampler's {@code delivered} when the newest acknowledged packet left (round counting)
 * @param rttNanos          RTT sample of this ACK, or -1 when the largest packet was not newly acknowledged
 * @param largestAckedPn    packet number of the newest packet acknowledged here, or -1
 * @param bytesInFlight     bytes in flight after the ACK (acknowledged and lost packets removed)
 */
public record AckEvent(long bytesDelivered, long bytesLost, long packetDelivered, long rttNanos, long largestAckedPn,
                       long bytesInFlight) {
}
