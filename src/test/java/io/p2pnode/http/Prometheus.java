package io.p2pnode.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every line is a comment
 * ({@code # HELP}, {@code # TYPE}) or a sample {@code name{label="value",...} number}; anything
 * else fails the test that scrapes.
 */
final class Prometheus {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

  record Sample(String name, Map<String, String> labels, double value) { }

  final Map<String, String> types = new HashMap<>();
  final List<Sample> samples = new ArrayList<>();

  static Prometheus parse(String text) {
    Prometheus p = new Prometheus();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) continue;
      if (line.startsWith("#")) {
        Matcher t = TYPE.matcher(line);
        if (t.matches()) p.types.put(t.group(1), t.group(2));
        else if (!line.startsWith("# HELP ") && !line.equals("# EOF")) throw new AssertionError("bad comment line: " + line);
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) throw new AssertionError("not a sample line: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null && !m.group(3).isEmpty()) {
        Matcher l = LABEL.matcher(m.group(3));
        int at = 0;
        while (l.find() && l.start() == at) {
          labels.put(l.group(1), l.group(2));
          at = l.end();
        }
        if (at != m.group(3).length()) throw new AssertionError("bad labels: " + line);
      }
      double v = switch (m.group(4)) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        case "NaN" -> Double.NaN;
        default -> Double.parseDouble(m.group(4));
      };
      p.samples.add(new Sample(m.group(1), labels, v));
    }
    return p;
  }

  /** The value of the one sample {@code name} whose labels include {@code labels} (pairs); NaN if none. */
  double value(String name, String... labels) {
    for (Sample s : samples) {
      if (!s.name().equals(name)) continue;
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) all &= labels[i + 1].equals(s.labels().get(labels[i]));
      if (all) return s.value();
    }
    return Double.NaN;
  }

  boolean has(String prefix) {
    return samples.stream().anyMatch(s -> s.name().startsWith(prefix));
  }
}
