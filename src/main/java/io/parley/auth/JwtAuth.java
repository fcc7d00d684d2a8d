package io.parley.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Verifies the JWTs clients present; the subject is the user id. Tokens of an identity provider
 * (RS256, ES256) are checked against its JWKS when one is configured; HS256 tokens made with the
 * node's secret (what {@code POST /v1/dev/token} issues) are accepted too unless HS256 is off.
 * Both kinds pass the same claim checks ({@link ClaimsCheck}); an HS256 token may also live no
 * longer than the configured maximum, since nothing else bounds what a holder of the secret signs.
 */
public final class JwtAuth {
  private static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);

  private final Optional<MACSigner> signer;
  private final Optional<MACVerifier> verifier;
  private final Clock clock;
  private final ClaimsCheck claimsCheck;
  private final Duration maxLifetime;
  private final String issuer;
  private final String audience;
  private final Optional<JwksVerifier> provider;

  /**
   * From {@code parley.auth} (its secret already generated, if one had to be): the HS256 secret if
   * HS256 is on, and the identity provider's JWKS if set.
   */
  public static JwtAuth from(Config auth, Clock clock) {
    AuthSettings settings = AuthSettings.from(auth);
    return new JwtAuth(settings.hs256() ? settings.secret() : Optional.empty(), settings.jwksUrl(),
        settings.jwksUrl().isEmpty() ? null : JwksVerifier.Caching.from(auth),
        settings.issuer(), settings.audience(), settings.maxLifetime(), clock);
  }

  /**
   * Refuses (an IllegalArgumentException naming the setting) the identity provider's settings a
   * node could not verify its tokens with: for the start-up check, before anything is created.
   */
  public static void checkSettings(Config auth) {
    String jwksUrl = auth.getString("jwks-url");
    if (!jwksUrl.isEmpty()) {
      JwksVerifier.url(jwksUrl);
      JwksVerifier.Caching.from(auth);
    }
  }

  /** A valid token's user id, and when the token expires. */
  public record Verified(String userId, Instant expiresAt) {}

  /** HS256 with {@code secret} only, no issuer or audience, tokens of at most 24 hours. */
  public JwtAuth(String secret, Clock clock) {
    this(Optional.of(secret), "", null, "", "", DEFAULT_MAX_LIFETIME, clock);
  }

  private JwtAuth(Optional<String> secret, String jwksUrl, JwksVerifier.Caching jwksCaching,
      String issuer, String audience, Duration maxLifetime, Clock clock) {
    this.clock = clock;
    this.issuer = issuer;
    this.audience = audience;
    this.maxLifetime = maxLifetime;
    this.claimsCheck = new ClaimsCheck(issuer, audience, clock);
    this.provider = jwksUrl.isEmpty()
        ? Optional.empty()
        : Optional.of(new JwksVerifier(jwksUrl, claimsCheck, jwksCaching));
    if (secret.isEmpty()) {
      this.signer = Optional.empty();
      this.verifier = Optional.empty();
      return;
    }
    byte[] key = secret.get().getBytes(StandardCharsets.UTF_8);
    try {
      this.signer = Optional.of(new MACSigner(key));
      this.verifier = Optional.of(new MACVerifier(key));
    } catch (JOSEException tooShort) {
      throw new IllegalArgumentException("PARLEY_JWT_SECRET (parley.auth.jwt-secret) must be at least 32 bytes",
          tooShort);
    }
  }

  /** An HS256 token for {@code userId}, with this deployment's issuer and audience when set. */
  public String issue(String userId, Duration ttl) {
    MACSigner key = signer.orElseThrow(() -> new IllegalStateException("HS256 is off: no tokens to issue"));
    Instant now = clock.instant();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(userId)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)));
    if (!issuer.isEmpty()) {
      claims.issuer(issuer);
    }
    if (!audience.isEmpty()) {
      claims.audience(List.of(audience));
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(key);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
    return jwt.serialize();
  }

  /**
   * The user id of a valid token: well-formed, correctly signed (HS256 with the secret, or by the
   * identity provider), within its times, for this issuer and audience, and for a valid user id
   * given as a string.
   */
  public Optional<String> verify(String token) {
    return check(token).map(Verified::userId);
  }

  /** As {@link #verify}, with the token's expiry. */
  public Optional<Verified> check(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      // The library reads a numeric "sub" as its decimal string; a user id is only ever a string.
      if (!(jwt.getPayload().toJSONObject().get("sub") instanceof String)) {
        return Optional.empty();
      }
      JWTClaimsSet claims;
      if (JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        if (verifier.isEmpty() || !jwt.verify(verifier.get())) {
          return Optional.empty();
        }
        claims = jwt.getJWTClaimsSet();
        claimsCheck.verify(claims, null);
        if (!withinMaxLifetime(claims)) {
          return Optional.empty();
        }
      } else {
        Optional<JWTClaimsSet> provided = provider.flatMap(keys -> keys.claims(token));
        if (provided.isEmpty()) {
          return Optional.empty();
        }
        claims = provided.get();
      }
      // The claims check lets clocks differ by a minute, but a token at or past its exp is refused:
      // a connection lives until then, so one accepted later would be closed as soon as opened.
      Instant expiresAt = claims.getExpirationTime().toInstant();
      String subject = claims.getSubject();
      return UserIds.isValid(subject) && expiresAt.isAfter(clock.instant())
          ? Optional.of(new Verified(subject, expiresAt))
          : Optional.empty();
    } catch (Exception invalid) {
      return Optional.empty();
    }
  }

  private boolean withinMaxLifetime(JWTClaimsSet claims) {
    Instant from = claims.getIssueTime() != null ? claims.getIssueTime().toInstant() : clock.instant();
    Instant latestStart = clock.instant().plusSeconds(claimsCheck.getMaxClockSkew());
    if (from.isAfter(latestStart)) {
      from = clock.instant(); // an iat in the future proves nothing about the token's life
    }
    return !claims.getExpirationTime().toInstant().isAfter(from.plus(maxLifetime));
  }
}
