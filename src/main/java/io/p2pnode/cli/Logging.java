package io.p2pnode.cli;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/** One-line JUL logging to standard output for the node process. */
public final class Logging {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private Logging() {
  }

  /** Routes every logger (Vert.x, Netty, Hazelcast use JUL here) to stdout, one line per record. */
  /** Loggers whose level is set here: java.util.logging holds loggers weakly, and a collected one forgets its level. */
  private static final java.util.List<Logger> LOGGER_KEPT = new java.util.ArrayList<>();

  public static void configure(Level level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    // A StreamHandler on stdout: ConsoleHandler.setOutputStream would close System.err.
    Handler h = new StreamHandler(System.out, new SimpleFormatter()) {
      @Override
      public synchronized void publish(LogRecord r) {
        super.publish(r);
        flush();
      }
    };
    h.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(128).append(LocalDateTime.now().format(TIME)).append(' ')
          .append(String.format("%-7s", r.getLevel().getName())).append(' ').append(r.getLoggerName()).append(" - ")
          .append(formatMessage(r)).append(System.lineSeparator());
        if (r.getThrown() != null) sb.append(r.getThrown()).append(System.lineSeparator());
        return sb.toString();
      }
    });
    h.setLevel(level);
    root.addHandler(h);
    root.setLevel(level);
    Logger.getLogger("com.hazelcast").setLevel(Level.WARNING);
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
    // vertx-micrometer-metrics 5.0.8 registers its vertx.eventbus.handlers gauge twice at every start
    // (harmless: the second registration is ignored) and Micrometer warns about it once
    LOGGER_KEPT.add(Logger.getLogger("io.micrometer.core.instrument.MeterRegistry"));
    LOGGER_KEPT.get(LOGGER_KEPT.size() - 1).setLevel(Level.SEVERE);
  }
}
