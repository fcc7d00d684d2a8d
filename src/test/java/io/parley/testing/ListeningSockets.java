package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The addresses that listening TCP sockets on this machine are bound to, read from Linux's
 * {@code /proc/net/tcp} and {@code tcp6}: what another host could reach, without needing one.
 */
public final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** Every local address some socket listens on at {@code port} ("0.0.0.0" or "::" for all). */
  public static Set<String> addressesOf(int port) {
    Set<String> addresses = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        for (String line : lines.subList(1, lines.size())) {
          String[] fields = line.trim().split("\\s+");
          String[] local = fields[1].split(":");
          if (fields[3].equals(LISTEN) && Integer.parseInt(local[1], 16) == port) {
            addresses.add(address(local[0]));
          }
        }
      } catch (IOException unreadable) {
        throw new UncheckedIOException(unreadable);
      }
    }
    return addresses;
  }

  /** The kernel prints each 32-bit word of the address in host (little-endian) order. */
  private static String address(String hex) {
    byte[] raw = HexFormat.of().parseHex(hex);
    byte[] ordered = new byte[raw.length];
    for (int word = 0; word < raw.length; word += 4) {
      for (int i = 0; i < 4; i++) {
        ordered[word + i] = raw[word + 3 - i];
      }
    }
    try {
      return InetAddress.getByAddress(ordered).getHostAddress();
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}
