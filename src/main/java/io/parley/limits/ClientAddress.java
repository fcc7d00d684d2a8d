package io.parley.limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who a request comes from: the peer of the connection, unless that peer is a configured reverse
 * proxy, in which case the nearest address in {@code X-Forwarded-For} that is not one of the
 * proxies. Anyone else can write any {@code X-Forwarded-For}, so it is ignored from them.
 */
public final class ClientAddress {
  private final Set<String> trustedProxies;

  private ClientAddress(Set<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  /** {@code proxies}: comma-separated addresses (empty: none is trusted). */
  public static ClientAddress trusting(String proxies) {
    return new ClientAddress(Arrays.stream(proxies.split(","))
        .map(String::strip)
        .filter(address -> !address.isEmpty())
        .map(ClientAddress::canonical)
        .collect(Collectors.toUnmodifiableSet()));
  }

  /** The client's address, given the connection's {@code peer} and the request's forwarded-for list. */
  public String of(Optional<InetAddress> peer, Optional<String> forwardedFor) {
    String direct = peer.map(InetAddress::getHostAddress).orElse("unknown");
    if (peer.isEmpty() || !isTrustedProxy(peer.get()) || forwardedFor.isEmpty()) {
      return direct;
    }
    List<String> hops = Arrays.stream(forwardedFor.get().split(",")).map(String::strip)
        .filter(hop -> !hop.isEmpty()).toList();
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = canonical(hops.get(i));
      if (!trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return direct;
  }

  /**
   * What a limit per client address counts {@code address} as: an IPv4 address itself, an IPv6
   * address its /64, since one host is given a whole /64 and could otherwise take 2^64 shares.
   */
  public static String share(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] bytes = address.getAddress();
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString((bytes[i] & 0xff) << 8 | bytes[i + 1] & 0xff)).append(':');
      }
      return prefix.append(":/64").toString();
    }
    return address.getHostAddress();
  }

  /** {@link #share(InetAddress)} of an address as {@link #of} gives it; anything but a literal as given. */
  public static String share(String address) {
    return address.contains(":") ? literal(address).map(ClientAddress::share).orElse(address) : address;
  }

  /**
   * Whether {@code address} is an IP address written out: a dotted quad, or an IPv6 address.
   * {@link InetAddress#getByName} looks up anything else in DNS, and a forwarded hop is whatever
   * the client wrote: {@code cafe.bad}, all hex digits and dots, was looked up on the request's
   * thread.
   */
  public static boolean isLiteral(String address) {
    if (address.contains(":")) {
      return address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    }
    String[] parts = address.split("\\.", -1);
    return parts.length == 4
        && Arrays.stream(parts).allMatch(part -> part.matches("[0-9]{1,3}") && Integer.parseInt(part) <= 255);
  }

  /** Whether {@code peer} is one of the configured reverse proxies. */
  public boolean isTrustedProxy(InetAddress peer) {
    return trustedProxies.contains(peer.getHostAddress());
  }

  /** The address as {@link InetAddress} prints it, for a literal; anything else as given. */
  private static String canonical(String address) {
    return literal(address).map(InetAddress::getHostAddress).orElse(address);
  }

  /** {@code address} parsed, if it is a literal (no lookup is made); else empty. */
  private static Optional<InetAddress> literal(String address) {
    if (!isLiteral(address)) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(address));
    } catch (java.net.UnknownHostException malformed) {
      return Optional.empty();
    }
  }
}
