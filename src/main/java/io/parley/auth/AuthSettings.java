package io.parley.auth;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How clients prove who they are, as configured under {@code parley.auth}, with the start-up
 * rules that keep a default node from trusting the network: dev tokens only on loopback unless
 * explicitly made public, and no node without a way to verify tokens.
 */
public record AuthSettings(
    DevTokens devTokens,
    Optional<String> secret,
    boolean hs256,
    Duration maxLifetime,
    String issuer,
    String audience,
    String jwksUrl,
    Duration devTokenTtl) {

  /** {@code parley.auth.dev-tokens}: who may call {@code POST /v1/dev/token}. */
  public enum DevTokens {
    OFF,
    /** Dev tokens, with the API on loopback only. */
    ON,
    /** Dev tokens on an API bound beyond loopback: anyone who reaches it can act as anyone. */
    INSECURE_PUBLIC;

    public boolean issued() {
      return this != OFF;
    }

    static DevTokens parse(String value) {
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "on", "true", "yes" -> ON;
        case "off", "false", "no" -> OFF;
        case "insecure-public" -> INSECURE_PUBLIC;
        default -> throw new IllegalArgumentException(
            "PARLEY_DEV_TOKENS (parley.auth.dev-tokens) must be on, off or insecure-public, not \"" + value + "\"");
      };
    }
  }

  public static AuthSettings from(Config auth) {
    String secret = auth.getString("jwt-secret");
    return new AuthSettings(
        DevTokens.parse(auth.getString("dev-tokens")),
        secret.isEmpty() ? Optional.empty() : Optional.of(secret),
        auth.getBoolean("hs256"),
        auth.getDuration("max-token-lifetime"),
        auth.getString("issuer"),
        auth.getString("audience"),
        auth.getString("jwks-url"),
        auth.getDuration("dev-token-ttl"));
  }

  /** These settings with the HS256 secret that was generated for this data dir. */
  public AuthSettings withSecret(String generated) {
    return new AuthSettings(devTokens, Optional.of(generated), hs256, maxLifetime, issuer, audience, jwksUrl,
        devTokenTtl);
  }

  /** Whether a secret must be found or generated before the node can verify HS256 tokens. */
  public boolean needsGeneratedSecret() {
    return secret.isEmpty() && hs256 && devTokens.issued();
  }

  /**
   * Why a node with these settings, its API bound to {@code host}, must not start; empty if it may.
   */
  public Optional<String> refusal(String host) {
    if (devTokens.issued() && !hs256) {
      return Optional.of("dev tokens are HS256 tokens, but PARLEY_JWT_HS256 is off: turn dev tokens off "
          + "(PARLEY_DEV_TOKENS=off) or HS256 on");
    }
    if (devTokens == DevTokens.ON && !isLoopback(host)) {
      return Optional.of("dev tokens are on and the API would listen on " + host + ", where anyone who reaches "
          + "it could sign in as anyone: bind to 127.0.0.1 (PARLEY_HTTP_HOST), turn dev tokens off "
          + "(PARLEY_DEV_TOKENS=off), or say PARLEY_DEV_TOKENS=insecure-public");
    }
    boolean verifiesHs256 = hs256 && (secret.isPresent() || devTokens.issued());
    if (!verifiesHs256 && jwksUrl.isEmpty()) {
      return Optional.of("no way to verify client tokens: set PARLEY_JWT_SECRET (at least 32 bytes, "
          + "the same on every node) or PARLEY_JWT_JWKS_URL");
    }
    // Only tokens the node makes: with dev tokens off, their life (which no variable sets) is moot.
    if (devTokens.issued() && devTokenTtl.compareTo(maxLifetime) > 0) {
      return Optional.of("dev tokens would live " + devTokenTtl + ", longer than PARLEY_JWT_MAX_LIFETIME ("
          + maxLifetime + "), and be refused: set parley.auth.dev-token-ttl shorter, or turn dev tokens off");
    }
    return Optional.empty();
  }

  public static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }
}
