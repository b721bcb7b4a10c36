package io.p2pnode.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/** Section {@code listen}: the node's UDP port and its listener verticles. */
public final class ListenOptions {
  /**
   * Every IPv4 interface: a node must be reachable from its LAN and through its NAT. IPv4 only,
   * so a host without IPv6 starts as before; {@code "::"} listens on both families (dual-stack).
   */
  public static final String DEFAULT_HOST = "0.0.0.0";
  /** The documented port of the embedded default node (DESIGN §5). */
  public static final int DEFAULT_PORT = 7700;
  /** 0 = one listener per event loop, so SO_REUSEPORT can spread flows over every core. */
  public static final int DEFAULT_INSTANCES = 0;
  /** 1200 B of UDP payload crosses tunnels and the IPv6 minimum MTU without IP fragmentation. */
  public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1200;
  /**
   * Loopback (64 KB MTU) and jumbo-frame LANs carry datagrams far above 1200 B, and each one
   * costs a seal, a syscall and an ACK whatever its size: path MTU probing raises a direct path
   * up to this (and never above the egress interface's MTU). Equal to {@code maxDatagramBytes}:
   * no probing.
   */
  public static final int DEFAULT_MAX_PATH_DATAGRAM_BYTES = 65_507;
  /** Socket buffers large enough to absorb a burst of a few thousand datagrams. */
  public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

  /**
   * The UDP accept model: a connected per-peer socket for each direct path (Linux, epoll). Off:
   * every session sends and receives through the listeners (other platforms, debugging).
   */
  public static final boolean DEFAULT_CONNECTED_SOCKETS = true;
  /**
   * Control frames (registrations, handshakes, introductions) and STUN requests handled per
   * second from one source IP, burst twice that: a peer refreshes every few seconds, so this
   * serves thousands of peers behind one carrier NAT while one flooding host costs little.
   */
  public static final long DEFAULT_CONTROL_RATE_PER_IP = 1000;

  /**
   * TCP beside UDP: a listener that shares its port with outgoing connections, registration
   * connections to coordinators, TCP hole punching and relay over TCP, for networks that block
   * or mangle UDP. Needs the native epoll transport (SO_REUSEPORT); without it TCP stays off.
   */
  public static final boolean DEFAULT_TCP = true;
  /** 0 = the number of the bound UDP port: one number to open in firewalls and to punch. */
  public static final int DEFAULT_TCP_PORT = 0;

  static final Set<String> KEYS = Set.of("host", "port", "instances", "maxDatagramBytes", "maxPathDatagramBytes",
    "socketBufferBytes", "connectedSockets", "controlRatePerIp", "tcp", "tcpPort");

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int instances = DEFAULT_INSTANCES;
  private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
  private int maxPathDatagramBytes = DEFAULT_MAX_PATH_DATAGRAM_BYTES;
  private int socketBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;
  private boolean connectedSockets = DEFAULT_CONNECTED_SOCKETS;
  private long controlRatePerIp = DEFAULT_CONTROL_RATE_PER_IP;
  private boolean tcp = DEFAULT_TCP;
  private int tcpPort = DEFAULT_TCP_PORT;

  static ListenOptions fromJson(JsonObject root) {
    JsonFields f = JsonFields.section(root, "listen");
    f.rejectUnknown(KEYS);
    ListenOptions o = new ListenOptions();
    o.host = Endpoints.requireHost(f.key("host"), f.string("host", DEFAULT_HOST));
    o.port = (int) f.integer("port", DEFAULT_PORT, 0, 65535);
    o.instances = (int) f.integer("instances", DEFAULT_INSTANCES, 0, 256);
    o.maxDatagramBytes = (int) f.integer("maxDatagramBytes", DEFAULT_MAX_DATAGRAM_BYTES, 576, 65507);
    o.maxPathDatagramBytes = (int) f.integer("maxPathDatagramBytes", DEFAULT_MAX_PATH_DATAGRAM_BYTES, 576, 65507);
    if (f.has("maxPathDatagramBytes") && o.maxPathDatagramBytes < o.maxDatagramBytes) {
      throw new ConfigException(f.key("maxPathDatagramBytes"), o.maxPathDatagramBytes + " is below listen.maxDatagramBytes ("
        + o.maxDatagramBytes + "), the size every path carries");
    }
    o.maxPathDatagramBytes = Math.max(o.maxPathDatagramBytes, o.maxDatagramBytes);
    o.socketBufferBytes = (int) f.integer("socketBufferBytes", DEFAULT_SOCKET_BUFFER_BYTES, 65536, 1 << 30);
    o.connectedSockets = f.bool("connectedSockets", DEFAULT_CONNECTED_SOCKETS);
    o.controlRatePerIp = f.integer("controlRatePerIp", DEFAULT_CONTROL_RATE_PER_IP, 0, 10_000_000);
    o.tcp = f.bool("tcp", DEFAULT_TCP);
    o.tcpPort = (int) f.integer("tcpPort", DEFAULT_TCP_PORT, 0, 65535);
    return o;
  }

  JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("instances", instances)
      .put("maxDatagramBytes", maxDatagramBytes).put("maxPathDatagramBytes", maxPathDatagramBytes).put("socketBufferBytes", socketBufferBytes)
      .put("connectedSockets", connectedSockets).put("controlRatePerIp", controlRatePerIp).put("tcp", tcp).put("tcpPort", tcpPort);
  }

  public String host() { return host; }
  public int port() { return port; }
  /** Configured listener count; 0 means one per event loop. */
  public int instances() { return instances; }
  public int maxDatagramBytes() { return maxDatagramBytes; }
  /** The largest datagram a direct path may carry after path MTU probing (at least {@link #maxDatagramBytes}). */
  public int maxPathDatagramBytes() { return maxPathDatagramBytes; }
  public int socketBufferBytes() { return socketBufferBytes; }
  /** Whether sessions use connected per-peer sockets (also needs the native epoll transport). */
  public boolean connectedSockets() { return connectedSockets; }
  /** Control frames per second per source IP; 0: unlimited. */
  public long controlRatePerIp() { return controlRatePerIp; }
  /** Whether the node also listens, registers, punches and relays over TCP. */
  public boolean tcp() { return tcp; }
  /** The configured TCP port; 0: the bound UDP port's number. */
  public int tcpPort() { return tcpPort; }

  public ListenOptions setHost(String host) { this.host = host; return this; }
  public ListenOptions setPort(int port) { this.port = port; return this; }
  public ListenOptions setInstances(int instances) { this.instances = instances; return this; }
  public ListenOptions setTcp(boolean tcp) { this.tcp = tcp; return this; }
}
