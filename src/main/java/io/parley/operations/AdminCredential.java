package io.parley.operations;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The operator's credential for the management port's write routes (Leave, Down, account
 * erasure): a bearer token from {@code parley.management.admin-token}. The port's read routes
 * (probes, bootstrap, metrics) stay open to the cluster; its writes never are.
 */
public final class AdminCredential {
  private final byte[] token;

  private AdminCredential(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  public static AdminCredential from(Config config) {
    return new AdminCredential(config.getString("parley.management.admin-token"));
  }

  /** Whether a node with write routes on would have a credential to require. */
  public static boolean configured(Config config) {
    return !config.getString("parley.management.admin-token").isEmpty();
  }

  /** Whether {@code authorization} ("Bearer …") carries the admin token. */
  public boolean accepts(Optional<String> authorization) {
    if (token.length == 0 || authorization.isEmpty()
        || !authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] offered = authorization.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, offered);
  }
}
