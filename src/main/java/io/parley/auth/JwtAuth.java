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
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * Verifies the JWTs clients present; the subject is the user id. Tokens of an identity provider
 * (RS256, ES256) are checked against its JWKS when one is configured; HS256 tokens made with the
 * shared secret (for development, and what {@code POST /v1/dev/token} issues) are accepted too.
 */
public final class JwtAuth {
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;
  private final Optional<JwksVerifier> provider;

  /** From {@code parley.auth}: the secret, and the identity provider's JWKS if one is set. */
  public static JwtAuth from(Config auth, Clock clock) {
    String jwksUrl = auth.getString("jwks-url");
    Optional<JwksVerifier> provider = jwksUrl.isEmpty()
        ? Optional.empty()
        : Optional.of(new JwksVerifier(jwksUrl, auth.getString("issuer"), auth.getString("audience"),
            auth.getDuration("jwks-cache-for"), auth.getDuration("jwks-min-refresh-interval")));
    return new JwtAuth(auth.getString("jwt-secret"), provider, clock);
  }

  /** A valid token's user id, and when the token expires. */
  public record Verified(String userId, Instant expiresAt) {}

  public JwtAuth(String secret, Clock clock) {
    this(secret, Optional.empty(), clock);
  }

  private JwtAuth(String secret, Optional<JwksVerifier> provider, Clock clock) {
    this.provider = provider;
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    try {
      this.signer = new MACSigner(key);
      this.verifier = new MACVerifier(key);
    } catch (JOSEException tooShort) {
      throw new IllegalArgumentException("parley.auth.jwt-secret must be at least 32 bytes", tooShort);
    }
    this.clock = clock;
  }

  public String issue(String userId, Duration ttl) {
    Date now = Date.from(clock.instant());
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .issueTime(now)
            .expirationTime(Date.from(clock.instant().plus(ttl)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed", e);
    }
    return jwt.serialize();
  }

  /**
   * The user id of a valid token: well-formed, correctly signed (HS256 with the secret, or by the
   * identity provider), not expired, and for a valid user id.
   */
  public Optional<String> verify(String token) {
    return check(token).map(Verified::userId);
  }

  /** As {@link #verify}, with the token's expiry. */
  public Optional<Verified> check(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        return provider.flatMap(keys -> keys.claims(token))
            .filter(claims -> UserIds.isValid(claims.getSubject()))
            .map(claims -> new Verified(claims.getSubject(), claims.getExpirationTime().toInstant()));
      }
      if (!jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date expires = claims.getExpirationTime();
      if (expires == null || !expires.toInstant().isAfter(clock.instant())) {
        return Optional.empty();
      }
      String subject = claims.getSubject();
      return UserIds.isValid(subject) ? Optional.of(new Verified(subject, expires.toInstant())) : Optional.empty();
    } catch (ParseException | JOSEException | RuntimeException malformed) {
      return Optional.empty();
    }
  }
}
