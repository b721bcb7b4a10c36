package io.p2pnode;

import io.p2pnode.cli.Cli;
import io.p2pnode.cli.Logging;
import io.p2pnode.config.ConfigException;
import io.p2pnode.config.NodeOptions;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/** Command line: run a node, or talk to a running one through its bridge. */
public final class Main {
  public static final String USAGE = String.join("\n",
    "usage: java -jar p2p-node.jar [run] [--conf FILE]          start a node (default: embedded standalone coordinator, UDP 7700)",
    "       java -jar p2p-node.jar status  [--bridge HOST:PORT]  node status",
    "       java -jar p2p-node.jar peers   [--bridge HOST:PORT]  sessions",
    "       java -jar p2p-node.jar connect PEER                  open a session",
    "       java -jar p2p-node.jar send    --to PEER [--address A] [--json] MESSAGE",
    "       java -jar p2p-node.jar request --to PEER [--address A] [--json] MESSAGE",
    "       java -jar p2p-node.jar listen  [--address A] [--count N]   print inbound messages",
    "bridge default: " + Cli.DEFAULT_BRIDGE + "; --timeout MS for replies",
    "every config key can also be set from the environment: P2P_ + the key in upper case, . as _ (P2P_LISTEN_PORT=7800)");

  private Main() {
  }

  public static void main(String[] args) {
    List<String> a = Arrays.asList(args);
    if (!a.isEmpty() && (a.get(0).equals("-h") || a.get(0).equals("--help") || a.get(0).equals("help"))) {
      System.out.println(USAGE);
      return;
    }
    if (!a.isEmpty() && Cli.isCommand(a.get(0))) {
      System.exit(new Cli(System.out, System.err).run(a.get(0), a.subList(1, a.size())));
    }
    System.exit(run(!a.isEmpty() && a.get(0).equals("run") ? a.subList(1, a.size()) : a));
  }

  private static int run(List<String> args) {
    NodeOptions options;
    try {
      if (args.isEmpty()) {
        options = NodeOptions.load(null, System.getenv());
      } else if (args.size() == 2 && args.get(0).equals("--conf")) {
        options = NodeOptions.load(Path.of(args.get(1)), System.getenv());
      } else {
        System.err.println("p2p-node: unexpected arguments " + args);
        System.err.println(USAGE);
        return 2;
      }
    } catch (ConfigException e) {
      System.err.println("p2p-node: " + e.getMessage());
      return 2;
    }
    Logging.configure(Level.INFO);
    // Handlers first: a SIGTERM that arrives while starting still stops the node cleanly.
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    P2pNode node;
    try {
      node = P2pNode.start(options).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof ConfigException) { // found while starting (the identity key file): still a config error
        System.err.println("p2p-node: " + cause.getMessage());
        return 2;
      }
      System.err.println("p2p-node: failed to start: " + cause.getMessage());
      return 1;
    }
    try {
      stop.await();
      java.util.logging.Logger.getLogger("p2p.node").info("p2p-node stopping: goodbye to peers");
      node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("p2p-node: unclean stop: " + e);
      return 1;
    }
    java.util.logging.Logger.getLogger("p2p.node").info("p2p-node stopped");
    return 0;
  }
}
