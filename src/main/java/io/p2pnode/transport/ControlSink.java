package io.p2pnode.transport;

/**
 * Where the {@link PacketRouter} sends decoded control frames: to the coordinator (REGISTER,
 * CONNECT, UNREGISTER) or to the node's control plane (HELLO, INTRODUCE, REGISTER_ACK,
 * CONNECT_FAIL). The node uses the local event bus; the in-memory lab calls straight through.
 */
public interface ControlSink {
  void toCoordinator(InboundControl in);

  void toNode(InboundControl in);
}
