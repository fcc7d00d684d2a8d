package io.parley.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;

/** Issues and verifies the HS256 JWTs clients present; the subject is the user id. */
public final class JwtAuth {
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  public JwtAuth(String secret, Clock clock) {
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

  /** The user id of a valid token: well-formed, HS256, correctly signed, not expired. */
  public Optional<String> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date expires = claims.getExpirationTime();
      if (expires == null || !expires.toInstant().isAfter(clock.instant())) {
        return Optional.empty();
      }
      String subject = claims.getSubject();
      return UserIds.isValid(subject) ? Optional.of(subject) : Optional.empty();
    } catch (ParseException | JOSEException | RuntimeException malformed) {
      return Optional.empty();
    }
  }
}
