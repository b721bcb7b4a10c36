package io.p2pnode.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Config keys from the environment, so a node runs in a container without a file: every key
 * can be set as {@code P2P_} + the dotted key in upper case with {@code .} replaced by
 * {@code _} ({@code P2P_LISTEN_PORT=7800}, {@code P2P_HTTP_PORT=0}); arrays are comma-separated
 * ({@code P2P_RENDEZVOUS=host:7700,host2:7700}, empty = empty array). The environment beats the
 * file. Values are converted to the key's type here and then validated like the file's; every
 * error names the key and the variable. A {@code P2P_} variable that names no key is an error
 * too, as an unknown key in the file is.
 */
public final class EnvOverrides {
  /** Prefix of every variable. */
  public static final String PREFIX = "P2P_";

  private EnvOverrides() {
  }

  /** Variable name of a dotted key: {@code listen.port} → {@code P2P_LISTEN_PORT}. */
  public static String variable(String key) {
    return PREFIX + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
  }

  /** Every config key by its variable, with its default (the value's type says how to parse). */
  static Map<String, Map.Entry<String, Object>> keys() {
    Map<String, Map.Entry<String, Object>> out = new TreeMap<>();
    collect(NodeOptions.defaults().toJson(), "", out);
    return out;
  }

  private static void collect(JsonObject json, String prefix, Map<String, Map.Entry<String, Object>> out) {
    for (String name : json.fieldNames()) {
      Object v = json.getValue(name);
      if (v instanceof JsonObject o) {
        collect(o, prefix + name + ".", out);
      } else {
        String key = prefix + name;
        out.put(variable(key), new java.util.AbstractMap.SimpleImmutableEntry<>(key, v));
      }
    }
  }

  /**
   * Parses {@code file} (the config file's object, or empty) with the {@code P2P_*} variables of
   * {@code env} applied on top, and validates the result.
   */
  public static NodeOptions apply(JsonObject file, Map<String, String> env) {
    Map<String, Map.Entry<String, Object>> keys = keys();
    JsonObject merged = file.copy();
    Map<String, String> sources = new LinkedHashMap<>(); // key -> variable
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(PREFIX)) continue;
      Map.Entry<String, Object> key = keys.get(e.getKey());
      if (key == null) {
        throw new ConfigException(e.getKey(), "environment variable names no config key (known: "
          + String.join(", ", keys.keySet()) + ")");
      }
      try {
        put(merged, key.getKey(), convert(key.getKey(), key.getValue(), e.getValue()));
      } catch (ConfigException ce) {
        throw ce.from(e.getKey());
      }
      sources.put(key.getKey(), e.getKey());
    }
    try {
      return NodeOptions.fromJson(merged);
    } catch (ConfigException ce) {
      String source = sources.get(ce.key());
      throw source == null ? ce : ce.from(source);
    }
  }

  private static Object convert(String key, Object def, String text) {
    String t = text.trim();
    if (def instanceof JsonArray) {
      List<String> items = new ArrayList<>();
      if (!t.isEmpty()) for (String s : t.split(",", -1)) items.add(s.trim());
      return new JsonArray(items);
    }
    if (def instanceof Boolean) {
      if (t.equals("true")) return true;
      if (t.equals("false")) return false;
      throw new ConfigException(key, "must be true or false, got \"" + text + "\"");
    }
    if (def instanceof Number) {
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be an integer, got \"" + text + "\"");
      }
    }
    return text; // strings, and peerId (no default)
  }

  /** Sets dotted {@code key} in {@code root}, creating sections; a section that is not an object is left to validation. */
  private static void put(JsonObject root, String key, Object value) {
    String[] parts = key.split("\\.");
    JsonObject at = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = at.getValue(parts[i]);
      if (!(next instanceof JsonObject)) {
        if (next != null) throw new ConfigException(parts[i], "must be a JSON object, got " + JsonFields.describe(next));
        next = new JsonObject();
        at.put(parts[i], next);
      }
      at = (JsonObject) next;
    }
    at.put(parts[parts.length - 1], value);
  }
}
