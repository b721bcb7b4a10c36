package io.p2pnode.cli;

import io.p2pnode.bus.Addresses;
import io.p2pnode.config.ConfigException;
import io.p2pnode.config.Endpoints;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Subcommands that talk to a running node through its TCP bridge:
 * {@code status}, {@code peers}, {@code connect PEER}, {@code send --to PEER [--address A] MESSAGE},
 * {@code request --to PEER [--address A] MESSAGE}, {@code listen [--address A] [--count N]}.
 * Exit codes: 0 ok, 1 the node answered with a failure or could not be reached, 2 usage error.
 */
public final class Cli {
  public static final String DEFAULT_BRIDGE = "127.0.0.1:7701";
  static final Set<String> COMMANDS = Set.of("status", "peers", "connect", "send", "request", "listen");
  private static final Set<String> FLAGS_WITH_VALUE = Set.of("--bridge", "--to", "--address", "--timeout", "--count");

  private final PrintStream out;
  private final PrintStream err;

  public Cli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static boolean isCommand(String arg) {
    return COMMANDS.contains(arg);
  }

  /** Runs one subcommand; returns the process exit code. */
  public int run(String command, List<String> args) {
    Map<String, String> flags = new HashMap<>();
    List<String> positional = new ArrayList<>();
    boolean json = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--json")) {
        json = true;
      } else if (FLAGS_WITH_VALUE.contains(a)) {
        if (i + 1 >= args.size()) return usage(a + " needs a value");
        flags.put(a, args.get(++i));
      } else if (a.startsWith("--")) {
        return usage("unknown option " + a);
      } else {
        positional.add(a);
      }
    }
    InetSocketAddress bridge;
    int timeout;
    try {
      bridge = Endpoints.parse("--bridge", flags.getOrDefault("--bridge", DEFAULT_BRIDGE));
      timeout = Integer.parseInt(flags.getOrDefault("--timeout", "15000"));
    } catch (ConfigException | NumberFormatException e) {
      return usage(e.getMessage());
    }
    try (BridgeClient client = new BridgeClient(bridge, 3000)) {
      return switch (command) {
        case "status" -> reply(client.request(Addresses.STATUS, null, null, timeout), true);
        case "peers" -> reply(client.request(Addresses.PEERS, null, null, timeout), true);
        case "connect" -> positional.size() != 1 ? usage("connect takes one peer id")
          : reply(client.request(Addresses.CONNECT, null, new JsonObject().put("peerId", positional.get(0)), timeout), true);
        case "send", "request" -> send(client, command, flags, positional, json, timeout);
        case "listen" -> listen(client, flags);
        default -> usage("unknown command " + command);
      };
    } catch (ConnectException e) {
      err.println("p2p-node: cannot reach the node's bridge at " + Endpoints.format(bridge)
        + " (is the node running, with bridge.port set?)");
      return 1;
    } catch (IOException | NumberFormatException e) {
      err.println("p2p-node: " + e.getMessage());
      return 1;
    }
  }

  private int send(BridgeClient client, String command, Map<String, String> flags, List<String> positional,
                   boolean json, int timeout) throws IOException {
    String to = flags.get("--to");
    if (to == null) return usage(command + " needs --to PEER");
    if (positional.size() != 1) return usage(command + " takes exactly one MESSAGE argument (quote it)");
    Object body = positional.get(0);
    if (json) {
      try {
        body = new JsonObject(positional.get(0));
      } catch (DecodeException e) {
        return usage("--json: MESSAGE is not a JSON object");
      }
    }
    JsonObject headers = new JsonObject().put(Addresses.HEADER_TO, to)
      .put(Addresses.HEADER_ADDRESS, flags.getOrDefault("--address", Addresses.INBOUND));
    String address = command.equals("send") ? Addresses.SEND : Addresses.REQUEST;
    return reply(client.request(address, headers, body, timeout), command.equals("send"));
  }

  private int listen(BridgeClient client, Map<String, String> flags) throws IOException {
    String address = flags.getOrDefault("--address", Addresses.INBOUND);
    long count = Long.parseLong(flags.getOrDefault("--count", "0"));
    client.register(address);
    err.println("listening on " + address + " (Ctrl-C to stop)");
    for (long n = 0; count == 0 || n < count; n++) {
      JsonObject f = client.read(0);
      if ("err".equals(f.getString("type"))) {
        err.println("p2p-node: bridge refused: " + f.getString("message")
          + " (is " + address + " in bridge.permitted?)");
        return 1;
      }
      if (!"message".equals(f.getString("type"))) {
        n--;
        continue;
      }
      JsonObject h = f.getJsonObject("headers", new JsonObject());
      out.println("[" + h.getString(Addresses.HEADER_FROM, "?") + "] " + f.getValue("body"));
      out.flush();
    }
    return 0;
  }

  private int reply(JsonObject frame, boolean pretty) {
    if ("err".equals(frame.getString("type"))) {
      Integer code = frame.getInteger("failureCode");
      err.println("p2p-node: error " + (code == null || code < 0 ? frame.getString("failureType", "") : code) + ": "
        + frame.getString("message"));
      return 1;
    }
    Object body = frame.getValue("body");
    out.println(body instanceof JsonObject j && pretty ? j.encodePrettily() : String.valueOf(body));
    return 0;
  }

  private int usage(String problem) {
    err.println("p2p-node: " + problem);
    err.println(io.p2pnode.Main.USAGE);
    return 2;
  }
}
