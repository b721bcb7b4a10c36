package io.p2pnode.config;

/**
 * Invalid configuration. The message always names the offending key (dotted path, e.g.
 * {@code listen.port}) so an operator can fix the file without reading code, and the
 * environment variable the value came from when it was not the file.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;
  private final String problem;

  public ConfigException(String key, String problem) {
    this(key, null, problem);
  }

  private ConfigException(String key, String source, String problem) {
    super("invalid config key '" + key + "'" + (source == null ? "" : " (from " + source + ")") + ": " + problem);
    this.key = key;
    this.problem = problem;
  }

  /** The same problem, saying that the value came from {@code source} (an environment variable). */
  public ConfigException from(String source) {
    return new ConfigException(key, source, problem);
  }

  /** The dotted key that is wrong. */
  public String key() {
    return key;
  }
}
