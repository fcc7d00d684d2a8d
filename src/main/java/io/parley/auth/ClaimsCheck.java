package io.parley.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.util.Date;
import java.util.Collections;
import java.util.Set;

/**
 * The claims every accepted token must have, whoever signed it: a subject and an expiry, not
 * used before its {@code nbf}, and this deployment's {@code iss} and {@code aud} when they are set.
 * Time is the node's clock (tests move it).
 */
final class ClaimsCheck extends DefaultJWTClaimsVerifier<SecurityContext> {
  private final Clock clock;

  ClaimsCheck(String issuer, String audience, Clock clock) {
    super(audience.isEmpty() ? null : Collections.singleton(audience),
        issuer.isEmpty() ? new JWTClaimsSet.Builder().build() : new JWTClaimsSet.Builder().issuer(issuer).build(),
        Set.of("sub", "exp"), null);
    this.clock = clock;
  }

  @Override
  protected Date currentTime() {
    return Date.from(clock.instant());
  }
}
