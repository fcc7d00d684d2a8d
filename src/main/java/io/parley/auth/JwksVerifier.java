package io.parley.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.typesafe.config.Config;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies RS256 and ES256 tokens of an identity provider against the keys it publishes as a
 * JWKS, chosen by {@code kid}. Nimbus's JWK source fetches and caches the set; a token with an
 * unknown {@code kid} makes it fetch again (so keys rotate without a restart), at most once per
 * {@code minRefreshInterval}, so a flood of unknown ids is not a flood of fetches. While the
 * provider does not answer, the set it served last is used for a grace.
 */
final class JwksVerifier {
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  /**
   * How the set is kept: {@code cacheFor}, fetched again at most every {@code minRefreshInterval},
   * and, while the provider fails to answer, the set it served last used for up to
   * {@code outageGrace} (zero: not at all). Settings nimbus would refuse are refused by name.
   */
  record Caching(Duration cacheFor, Duration minRefreshInterval, Duration outageGrace) {
    Caching {
      if (minRefreshInterval.compareTo(cacheFor) >= 0) {
        throw new IllegalArgumentException("parley.auth.jwks-min-refresh-interval (" + minRefreshInterval
            + ") must be shorter than parley.auth.jwks-cache-for (" + cacheFor + ")");
      }
      if (!outageGrace.isZero() && outageGrace.compareTo(cacheFor) <= 0) {
        throw new IllegalArgumentException("parley.auth.jwks-outage-grace (" + outageGrace
            + ") must be 0 or longer than parley.auth.jwks-cache-for (" + cacheFor + ")");
      }
    }

    static Caching from(Config auth) {
      return new Caching(auth.getDuration("jwks-cache-for"), auth.getDuration("jwks-min-refresh-interval"),
          auth.getDuration("jwks-outage-grace"));
    }
  }

  /** The JWKS URL, or an IllegalArgumentException that says it is none. */
  static URL url(String jwksUrl) {
    try {
      return URI.create(jwksUrl).toURL();
    } catch (MalformedURLException | IllegalArgumentException bad) {
      throw new IllegalArgumentException("parley.auth.jwks-url is not a URL: " + jwksUrl, bad);
    }
  }

  JwksVerifier(String jwksUrl, ClaimsCheck claimsCheck, Caching caching) {
    URL url = url(jwksUrl);
    long cacheMillis = caching.cacheFor().toMillis();
    Duration outageGrace = caching.outageGrace();
    // Nimbus's refresh timeout (15 s) must fit in the cache's life: a shorter cache gets a third of
    // it. No refresh ahead of expiry: while the provider is down, each verification in that window
    // asked again (a forced reload, which the outage tolerance does not answer), spending the rate
    // limit, so the load at expiry was refused and tokens with it.
    JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.<SecurityContext>create(url)
        .cache(cacheMillis, Math.min(JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, cacheMillis / 3))
        .refreshAheadCache(false)
        .rateLimited(caching.minRefreshInterval().toMillis())
        .retrying(false);
    // An identity provider down for a while must not refuse every token of it: clients would all
    // be told to sign in again, against a provider that cannot answer them.
    JWKSource<SecurityContext> keys = (outageGrace.isZero()
        ? builder.outageTolerant(false) : builder.outageTolerant(outageGrace.toMillis())).build();
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
