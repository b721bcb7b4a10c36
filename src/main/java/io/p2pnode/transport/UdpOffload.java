package io.p2pnode.transport;

import io.netty.channel.ChannelException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.vertx.core.json.JsonObject;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The UDP batching the kernel and Netty offer here, checked once per process, and what the
 * node's sockets use of it ({@code p2p.status} → {@code transport}):
 *
 * <ul>
 *   <li>{@code sendmmsg}: datagrams written in one event-loop turn leave in one system call
 *       (Netty's epoll transport does it whenever several are flushed together).</li>
 *   <li>{@code gso} (UDP_SEGMENT, {@code SegmentedDatagramPacket}): runs of equal-sized
 *       datagrams to one peer leave as one buffer that the kernel (or the NIC) cuts up.</li>
 *   <li>{@code gro} (UDP_GRO) on connected sockets: the kernel hands over such runs from the
 *       peer whole; Netty cuts them up again.</li>
 *   <li>{@code recvmmsg} on the listeners (many peers, small datagrams) and on connected sockets
 *       where GRO is missing: several datagrams per receive call.</li>
 * </ul>
 *
 * All need the native epoll transport. {@code -Dp2p.udpOffload=false} turns GSO, GRO and
 * recvmmsg off (to measure what they bring, or for a NIC that mishandles them); a GSO write the
 * kernel refuses turns GSO off for that socket and counts {@link Drop#SEND_ERROR}.
 *
 * @param sendmmsg several datagrams per send call
 * @param gso      UDP segmentation offload used by connected sockets
 * @param gro      UDP receive offload on connected sockets
 * @param recvmmsg several datagrams per receive call on listener sockets (and connected ones without GRO)
 */
public record UdpOffload(boolean sendmmsg, boolean gso, boolean gro, boolean recvmmsg) {
  private static final Logger LOG = Logger.getLogger(UdpOffload.class.getName());
  /** What this process uses, from {@link #detect}. */
  public static final UdpOffload CURRENT = detect(Boolean.parseBoolean(System.getProperty("p2p.udpOffload", "true")));
  /** UDP_MAX_SEGMENTS of older kernels (newer allow 128): segments in one GSO buffer. */
  static final int MAX_SEGMENTS = 64;
  /** A GSO buffer stays within one IP datagram's payload. */
  static final int MAX_GSO_BYTES = 65_000;
  /** Segments larger than an Ethernet payload minus IPv6/UDP headers might not leave a NIC: never batched. */
  static final int MAX_SEGMENT_BYTES = 1_452;
  /** Datagrams per recvmmsg call. */
  static final int RECVMMSG_DATAGRAMS = 16;
  /** A receive buffer that holds a whole GRO run. */
  static final int GRO_BUFFER_BYTES = 65_536;

  /** What the node's sockets use: {@link #CURRENT} on the native transport, nothing without it. */
  public static UdpOffload inUse(boolean nativeTransport) {
    return nativeTransport ? CURRENT : new UdpOffload(false, false, false, false);
  }

  /** Checks what the native transport supports; with {@code enabled} false, only sendmmsg. */
  static UdpOffload detect(boolean enabled) {
    if (!Epoll.isAvailable()) return new UdpOffload(false, false, false, false);
    boolean gso = enabled && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
    boolean gro = enabled && groSupported();
    return new UdpOffload(true, gso, gro, enabled);
  }

  /** Whether the kernel accepts UDP_GRO on a socket (Linux ≥ 5.0). */
  private static boolean groSupported() {
    EpollDatagramChannel probe = null;
    try {
      probe = new EpollDatagramChannel();
      probe.config().setUdpGro(true);
      return probe.config().isUdpGro();
    } catch (ChannelException | UnsupportedOperationException e) {
      LOG.log(Level.FINE, "UDP_GRO not supported", e);
      return false;
    } finally {
      if (probe != null) probe.unsafe().closeForcibly();
    }
  }

  /** For {@code p2p.status}. */
  public JsonObject toJson() {
    return new JsonObject().put("sendmmsg", sendmmsg).put("gso", gso).put("gro", gro).put("recvmmsg", recvmmsg);
  }
}
