package io.parley.limits;

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
    if (!trustedProxies.contains(direct) || forwardedFor.isEmpty()) {
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

  /** Whether {@code peer} is one of the configured reverse proxies. */
  public boolean isTrustedProxy(InetAddress peer) {
    return trustedProxies.contains(peer.getHostAddress());
  }

  /** The address as {@link InetAddress} prints it, for a literal; anything else as given. */
  private static String canonical(String address) {
    boolean literal = address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    if (!literal) {
      return address;
    }
    try {
      return InetAddress.getByName(address).getHostAddress(); // a literal: no lookup is made
    } catch (java.net.UnknownHostException malformed) {
      return address;
    }
  }
}
