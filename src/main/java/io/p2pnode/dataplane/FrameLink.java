package io.p2pnode.dataplane;

import io.netty.buffer.ByteBuf;
import io.p2pnode.wire.FrameType;

/** What {@link MessageExchange} needs of its session: frames for the current path and the way out. */
public interface FrameLink {
  /** A new frame with its header (receiver's session id, next packet number); at most {@code maxCapacity} bytes. */
  ByteBuf newFrame(FrameType type, int initialCapacity, int maxCapacity);

  /** Sends a whole frame on the current path. */
  void transmit(ByteBuf frame);

  /** Hands the frames transmitted so far to the network now, instead of with the loop turn's flush. */
  default void flushNow() {
  }

  /** Largest frame the current path carries. */
  int budget();

  /** Whether the session is still open (results of late deliveries are dropped once it is closed). */
  boolean open();

  /** False while the path is being re-punched: frames wait instead of going into a dead path. */
  boolean canSend();

  /** See {@link ReliableSender.Output#receiveLimit}. */
  default long receiveLimit() {
    return Long.MAX_VALUE;
  }
}
