package io.p2pnode.cli;

import io.vertx.core.json.JsonObject;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A blocking client of the TCP event-bus bridge: frames are a 4-byte big-endian length and a
 * UTF-8 JSON object. For the command line, not for event loops.
 */
public final class BridgeClient implements Closeable {
  /** Largest frame accepted from the node: guards against a wrong port talking another protocol. */
  static final int MAX_FRAME = 16 * 1024 * 1024;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  public BridgeClient(InetSocketAddress bridge, int connectTimeoutMs) throws IOException {
    socket = new Socket();
    socket.connect(bridge, connectTimeoutMs);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  /** Writes one frame. */
  public synchronized void write(JsonObject frame) throws IOException {
    byte[] b = frame.encode().getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
    out.flush();
  }

  /** Reads one frame, waiting at most {@code timeoutMs} (0 = forever). */
  public JsonObject read(int timeoutMs) throws IOException {
    socket.setSoTimeout(timeoutMs);
    int len = in.readInt();
    if (len < 0 || len > MAX_FRAME) throw new IOException("bad frame length " + len + " (is this a bridge port?)");
    byte[] b = new byte[len];
    in.readFully(b);
    return new JsonObject(new String(b, StandardCharsets.UTF_8));
  }

  /**
   * Sends a request and waits for its reply frame: {@code type} "message" (success, reply in
   * {@code body}) or "err" ({@code failureCode}, {@code message}).
   */
  public JsonObject request(String address, JsonObject headers, Object body, int timeoutMs) throws IOException {
    String replyAddress = "cli." + UUID.randomUUID();
    write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", replyAddress)
      .put("headers", headers == null ? new JsonObject() : headers).put("body", body));
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) throw new SocketTimeoutException("no reply within " + timeoutMs + " ms");
      JsonObject f = read((int) left);
      if ("err".equals(f.getString("type")) && f.getString("address") == null) {
        return f; // e.g. access_denied: the bridge does not say which request it refers to
      }
      if (replyAddress.equals(f.getString("address"))) return f;
    }
  }

  /** Registers for messages sent or published to {@code address}. */
  public void register(String address) throws IOException {
    write(new JsonObject().put("type", "register").put("address", address));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
