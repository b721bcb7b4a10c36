package io.p2pnode.config;

import io.netty.util.NetUtil;
import io.p2pnode.transport.Addrs;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parsing of {@code host:port} strings and host literals in config. */
public final class Endpoints {
  private Endpoints() {
  }

  /**
   * Parses {@code host:port} (IPv6 as {@code [addr]:port}) into a resolved address.
   *
   * @throws ConfigException naming {@code key} when the text is malformed or does not resolve
   */
  public static InetSocketAddress parse(String key, String text) {
    if (text == null || text.isBlank()) throw new ConfigException(key, "must be \"host:port\", got an empty string");
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new ConfigException(key, "must be \"host:port\", got \"" + text + "\"");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    String portText = text.substring(colon + 1);
    if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
      throw new ConfigException(key, "port in \"" + text + "\" is not a number");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) throw new ConfigException(key, "port in \"" + text + "\" must be 1-65535");
    return new InetSocketAddress(resolve(key, host), port);
  }

  static String requireHost(String key, String host) {
    resolve(key, host);
    return host;
  }

  private static InetAddress resolve(String key, String host) {
    if (host.isBlank()) throw new ConfigException(key, "host is empty");
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException(key, "host \"" + host + "\" does not resolve");
    }
  }

  /**
   * {@code host:port} text for an address: IPv6 in brackets and in its short form (RFC 5952:
   * {@code [2001:db8::1]:7700}), an IPv4-mapped IPv6 address as IPv4 ({@link Addrs#normalise}).
   */
  public static String format(InetSocketAddress a) {
    String h = a.getAddress() == null ? a.getHostString() : NetUtil.toAddressString(Addrs.normalise(a.getAddress()));
    return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
  }
}
