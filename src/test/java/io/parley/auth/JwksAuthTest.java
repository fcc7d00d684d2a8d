package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tokens of an identity provider, verified against the JWKS it serves (here, in the test). */
class JwksAuthTest {
  static final String ISSUER = "https://idp.example";
  static final String AUDIENCE = "parley";

  HttpServer idp;
  final AtomicReference<JWKSet> published = new AtomicReference<>();
  final AtomicInteger fetches = new AtomicInteger();
  final AtomicBoolean down = new AtomicBoolean();
  final AtomicInteger failedFetches = new AtomicInteger();
  JwtAuth auth;

  @BeforeEach
  void start() throws Exception {
    idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    idp.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      if (down.get()) {
        failedFetches.incrementAndGet();
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    idp.start();
    auth = auth("jwks-cache-for = 5m\njwks-min-refresh-interval = 30s\n");
  }

  private JwtAuth auth(String settings) {
    return JwtAuth.from(ConfigFactory.parseString(
            "jwks-url = \"http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json\"\n"
                + "issuer = \"" + ISSUER + "\"\naudience = \"" + AUDIENCE + "\"\n" + settings
                + "jwt-secret = \"" + JwtAuthTest.SECRET + "\"\n")
        .withFallback(ConfigFactory.load().getConfig("parley.auth")), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    idp.stop(0);
  }

  @Test
  void rs256AndEs256TokensOfTheProviderAreAcceptedAndOthersRefused() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    published.set(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));

    assertEquals(Optional.of("alice"), auth.verify(token(rsa, "alice", ISSUER, AUDIENCE, 60)));
    assertEquals(Optional.of("bob"), auth.verify(token(ec, "bob", ISSUER, AUDIENCE, 60)));
    assertTrue(auth.verify(token(rsa, "alice", "https://other.example", AUDIENCE, 60)).isEmpty(), "another issuer");
    assertTrue(auth.verify(token(rsa, "alice", ISSUER, "another-app", 60)).isEmpty(), "another audience");
    assertTrue(auth.verify(token(rsa, "alice", ISSUER, AUDIENCE, -60)).isEmpty(), "expired");
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("r1").generate();
    assertTrue(auth.verify(token(stranger, "alice", ISSUER, AUDIENCE, 60)).isEmpty(), "a key the provider never published");
    // The development secret's tokens still work beside the provider's.
    assertEquals(Optional.of("carol"), auth.verify(auth.issue("carol", Duration.ofMinutes(1))));
  }

  @Test
  void aRotatedKeyIsFetchedOnceAndAFloodOfUnknownKeyIdsIsNotAFloodOfFetches() throws Exception {
    RSAKey first = new RSAKeyGenerator(2048).keyID("k1").generate();
    published.set(new JWKSet(first.toPublicJWK()));
    assertEquals(Optional.of("alice"), auth.verify(token(first, "alice", ISSUER, AUDIENCE, 60)));
    assertEquals(1, fetches.get());

    // The provider rotates: a token with the new key id makes the set be fetched again.
    RSAKey second = new RSAKeyGenerator(2048).keyID("k2").generate();
    published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
    assertEquals(Optional.of("bob"), auth.verify(token(second, "bob", ISSUER, AUDIENCE, 60)));
    int afterRotation = fetches.get();
    assertEquals(2, afterRotation);

    // One key the provider never published, under 50 key ids it never published either.
    RSAKey forged = new RSAKeyGenerator(2048).generate();
    for (int i = 0; i < 50; i++) {
      RSAKey unknown = new RSAKey.Builder(forged).keyID("forged-" + i).build();
      assertTrue(auth.verify(token(unknown, "mallory", ISSUER, AUDIENCE, 60)).isEmpty());
    }
    assertTrue(fetches.get() <= afterRotation + 1, "50 unknown key ids made " + (fetches.get() - afterRotation) + " fetches");
  }

  @Test
  void aProvidersTokenWhoseSubjectIsANumberIsRefused() throws Exception {
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    published.set(new JWKSet(rsa.toPublicJWK()));
    long exp = Instant.now().plusSeconds(60).getEpochSecond();
    String payload = "{\"sub\":12345,\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + exp + "}";
    JWSObject numeric = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("r1").build(), new Payload(payload));
    numeric.sign(new RSASSASigner(rsa));
    assertTrue(auth.verify(numeric.serialize()).isEmpty(), "{\"sub\":12345} is not user \"12345\"");
    assertEquals(Optional.of("12345"), auth.verify(token(rsa, "12345", ISSUER, AUDIENCE, 60)));
  }

  @Test
  void aKeyCacheOfLessThanAMinuteWorks() throws Exception {
    auth = auth("jwks-cache-for = 10s\njwks-min-refresh-interval = 1s\n");
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    published.set(new JWKSet(rsa.toPublicJWK()));
    assertEquals(Optional.of("alice"), auth.verify(token(rsa, "alice", ISSUER, AUDIENCE, 60)));
  }

  @Test
  void aLeastRefreshIntervalNotBelowTheCachesLifeIsRefusedByName() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> auth("jwks-cache-for = 1m\njwks-min-refresh-interval = 1m\n"));
    assertTrue(refused.getMessage().contains("jwks-min-refresh-interval"), refused.getMessage());
    assertTrue(refused.getMessage().contains("jwks-cache-for"), refused.getMessage());
  }

  @Test
  void anOutageGraceNotLongerThanTheCachesLifeIsRefusedByName() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> auth("jwks-cache-for = 5m\njwks-min-refresh-interval = 30s\njwks-outage-grace = 5m\n"));
    assertTrue(refused.getMessage().contains("jwks-outage-grace"), refused.getMessage());
  }

  @Test
  void theKeysLastFetchedStillVerifyWhileTheProviderIsDown() throws Exception {
    // The cache lives three seconds here, so that it runs out while the provider is down, with many
    // verifications in its last second (where nimbus refreshed ahead of expiry, each asking again
    // and spending the rate limit: with a one-second cache this failed only on a loaded machine).
    auth = auth("jwks-cache-for = 3s\njwks-min-refresh-interval = 100ms\n");
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    published.set(new JWKSet(rsa.toPublicJWK()));
    String alice = token(rsa, "alice", ISSUER, AUDIENCE, 600);
    assertEquals(Optional.of("alice"), auth.verify(alice));

    down.set(true);
    long downAt = System.nanoTime();
    long deadline = downAt + Duration.ofSeconds(30).toNanos();
    // Past the cache's life twice over, and the set asked for again meanwhile.
    while (System.nanoTime() - downAt < Duration.ofMillis(6500).toNanos() || failedFetches.get() < 3) {
      assertEquals(Optional.of("alice"), auth.verify(alice), "refused while the provider is down");
      assertTrue(System.nanoTime() < deadline, "the set was never fetched again");
      Thread.sleep(20); // polled, as an await does
    }
    assertEquals(Optional.of("alice"), auth.verify(alice), "refused once the provider failed to answer");
    // A key the provider never published is refused all the same.
    RSAKey forged = new RSAKeyGenerator(2048).keyID("r1").generate();
    assertTrue(auth.verify(token(forged, "alice", ISSUER, AUDIENCE, 600)).isEmpty());
  }

  private static String token(JWK key, String subject, String issuer, String audience, long expiresInSeconds)
      throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).issuer(issuer).audience(audience)
        .expirationTime(Date.from(Instant.now().plusSeconds(expiresInSeconds))).build();
    boolean rsa = key instanceof RSAKey;
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(rsa ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(rsa ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key));
    return jwt.serialize();
  }
}
