package io.parley.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies RS256 and ES256 tokens of an identity provider against the keys it publishes as a
 * JWKS, chosen by {@code kid}. Nimbus's JWK source fetches and caches the set; a token with an
 * unknown {@code kid} makes it fetch again (so keys rotate without a restart), at most once per
 * {@code minRefreshInterval}, so a flood of unknown ids is not a flood of fetches.
 */
final class JwksVerifier {
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  JwksVerifier(String jwksUrl, ClaimsCheck claimsCheck, Duration cacheFor, Duration minRefreshInterval) {
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUrl).toURL())
          .cache(cacheFor.toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
          .rateLimited(minRefreshInterval.toMillis())
          .retrying(false)
          .build();
    } catch (MalformedURLException | IllegalArgumentException bad) {
      throw new IllegalArgumentException("parley.auth.jwks-url is not a URL: " + jwksUrl, bad);
    }
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
    processor.setJWTClaimsSetVerifier(claimsCheck);
  }

  /** The token's claims if the provider signed it, for this issuer and audience, and it has not expired. */
  Optional<JWTClaimsSet> claims(String token) {
    try {
      return Optional.of(processor.process(token, null));
    } catch (Exception invalid) {
      return Optional.empty();
    }
  }
}
