package io.p2pnode.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed, strict reads of one JSON config section. Every read names the full dotted key in its
 * error, and {@link #rejectUnknown} turns a typo into an error instead of a silently ignored key.
 */
final class JsonFields {
  /** Keys starting with this are comments, so a config file can document itself. */
  static final String COMMENT = "//";
  private final JsonObject json;
  private final String prefix;

  JsonFields(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix;
  }

  /** The sub-section {@code name}, which must be a JSON object when present. */
  static JsonFields section(JsonObject root, String name) {
    Object v = root.getValue(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ConfigException(name, "must be a JSON object, got " + describe(v));
    }
    return new JsonFields((JsonObject) v, name + ".");
  }

  String key(String name) {
    return prefix + name;
  }

  void rejectUnknown(Set<String> known) {
    for (String k : json.fieldNames()) {
      if (!known.contains(k) && !k.startsWith(COMMENT)) {
        throw new ConfigException(key(k), "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  /** Whether the section sets {@code name}. */
  boolean has(String name) {
    return json.containsKey(name);
  }

  String string(String name, String def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (!(v instanceof String)) throw new ConfigException(key(name), "must be a string, got " + describe(v));
    return (String) v;
  }

  boolean bool(String name, boolean def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (!(v instanceof Boolean)) throw new ConfigException(key(name), "must be true or false, got " + describe(v));
    return (Boolean) v;
  }

  long integer(String name, long def, long min, long max) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
      || v instanceof java.math.BigInteger)) {
      throw new ConfigException(key(name), "must be an integer, got " + describe(v));
    }
    if (v instanceof java.math.BigInteger) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + v);
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  List<String> strings(String name, List<String> def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (!(v instanceof JsonArray)) throw new ConfigException(key(name), "must be an array of strings, got " + describe(v));
    List<String> out = new ArrayList<>();
    for (Object o : (JsonArray) v) {
      if (!(o instanceof String)) throw new ConfigException(key(name), "must be an array of strings, found " + describe(o));
      out.add((String) o);
    }
    return List.copyOf(out);
  }

  static String describe(Object v) {
    if (v == null) return "null";
    if (v instanceof String) return "string \"" + v + "\"";
    if (v instanceof JsonObject) return "an object";
    if (v instanceof JsonArray) return "an array";
    return v.getClass().getSimpleName().toLowerCase() + " " + v;
  }
}
