package io.parley;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.parley.auth.AuthSettings;
import io.parley.auth.SecretFile;
import io.parley.operations.AdminCredential;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up rules that keep a node's defaults safe on a network: it refuses to start where
 * anyone could sign in as anyone, or where nothing could verify a token, and a node with dev
 * tokens and no configured secret gets one of its own, kept in its data dir.
 */
final class StartupSecurity {
  private static final Logger log = LoggerFactory.getLogger(StartupSecurity.class);

  private StartupSecurity() {}

  /** {@code config}, with the generated HS256 secret if one is needed. */
  static Config check(Config config, Path dataDir) {
    AuthSettings auth = AuthSettings.from(config.getConfig("parley.auth"));
    String host = config.getString("parley.http.host");
    auth.refusal(host).ifPresent(why -> {
      throw new StartupFailure.Refusal(why);
    });
    if (!config.getBoolean("pekko.management.http.route-providers-read-only") && !AdminCredential.configured(config)) {
      throw new StartupFailure.Refusal("the management port's write routes are on (PARLEY_MANAGEMENT_READ_ONLY=false) "
          + "but nothing guards them: set PARLEY_MANAGEMENT_ADMIN_TOKEN to the token operators will send");
    }
    if (auth.devTokens() == AuthSettings.DevTokens.INSECURE_PUBLIC) {
      log.warn("Dev tokens are on and the API listens on {}: anyone who reaches it can sign in as anyone "
          + "(PARLEY_DEV_TOKENS=insecure-public)", host);
    }
    String storesHost = config.getString("parley.embedded-stores.host");
    boolean embedded = config.getBoolean("parley.dynamodb.embedded") || config.getBoolean("parley.s3.embedded");
    if (embedded && !AuthSettings.isLoopback(storesHost)) {
      log.warn("The embedded stores listen on {}: they accept any credentials and hold every user's content "
          + "keys; keep them on 127.0.0.1 (PARLEY_EMBEDDED_STORES_HOST) unless a firewall guards them", storesHost);
    }
    if (!auth.needsGeneratedSecret()) {
      return config;
    }
    try {
      String secret = SecretFile.readOrCreate(dataDir);
      return ConfigFactory.empty()
          .withValue("parley.auth.jwt-secret", ConfigValueFactory.fromAnyRef(secret))
          .withFallback(config);
    } catch (IOException unreadable) {
      throw new StartupFailure.Refusal("the token secret in " + dataDir + " cannot be read or made ("
          + unreadable.getMessage() + "): fix the file's permissions or set PARLEY_JWT_SECRET", unreadable);
    }
  }
}
