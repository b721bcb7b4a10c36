package io.p2pnode.config;

/**
 * Invalid configuration. The message always names the offending key (dotted path, e.g.
 * {@code listen.port}) so an operator can fix the file without reading code.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public ConfigException(String key, String problem) {
    super("invalid config key '" + key + "': " + problem);
    this.key = key;
  }

  /** The dotted key that is wrong. */
  public String key() {
    return key;
  }
}
