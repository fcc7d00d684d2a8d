package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigFactory;
import io.parley.testing.EntityHarness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwtAuthTest {
  static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  private static String sign(JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jwt.serialize();
  }

  @Test
  void acceptsOnlyWellSignedUnexpiredTokensForValidUserIds() throws Exception {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    JwtAuth auth = new JwtAuth(SECRET, clock);
    String token = auth.issue("alice", Duration.ofHours(1));
    assertEquals(Optional.of("alice"), auth.verify(token));

    assertTrue(new JwtAuth(SECRET.replace('a', 'b'), clock).verify(token).isEmpty(), "wrong key");
    assertTrue(auth.verify(token.substring(0, token.length() - 2) + "xx").isEmpty(), "tampered");
    assertTrue(auth.verify("not.a.jwt").isEmpty());
    assertTrue(auth.verify("").isEmpty());
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder().subject("bad user!")
        .expirationTime(new Date(clock.millis() + 60_000)).build())).isEmpty(), "invalid user id");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder().subject("alice").build())).isEmpty(),
        "tokens must expire");
    clock.advance(Duration.ofHours(2));
    assertTrue(auth.verify(token).isEmpty(), "expired");
  }

  /**
   * PROTOCOL.md: an expired token is refused. A token seconds past its {@code exp} was accepted
   * (the claims check allows clocks to differ by a minute), so a socket opened with it was
   * upgraded and closed at once as expired, and an {@code auth.refresh} with it cut a live
   * connection's life to nothing.
   */
  @Test
  void aTokenPastItsExpiryIsRefusedAtOnce() throws Exception {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    JwtAuth auth = new JwtAuth(SECRET, clock);
    String token = auth.issue("alice", Duration.ofHours(1));
    clock.advance(Duration.ofHours(1).minusSeconds(1));
    assertEquals(Optional.of("alice"), auth.verify(token), "a second before its expiry");
    clock.advance(Duration.ofSeconds(1));
    assertTrue(auth.check(token).isEmpty(), "at its expiry");
    clock.advance(Duration.ofSeconds(10));
    assertTrue(auth.check(token).isEmpty(), "ten seconds past its expiry");
  }

  /** An HS256 token whose payload is exactly {@code json}, as a client could send it. */
  static String signRaw(String json) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(json));
    jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jws.serialize();
  }

  private static JwtAuth configured(String settings, EntityHarness.ManualClock clock) {
    return JwtAuth.from(ConfigFactory.parseString(settings + "\njwt-secret = \"" + SECRET + "\"")
        .withFallback(ConfigFactory.load().getConfig("parley.auth")), clock);
  }

  private static Date in(EntityHarness.ManualClock clock, Duration from) {
    return new Date(clock.millis() + from.toMillis());
  }

  @Test
  void aSubjectThatIsNotAStringIsRefused() throws Exception {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    JwtAuth auth = new JwtAuth(SECRET, clock);
    long exp = clock.millis() / 1000 + 600;
    assertTrue(auth.verify(signRaw("{\"sub\":12345,\"exp\":" + exp + "}")).isEmpty(),
        "{\"sub\":12345} is not user \"12345\"");
    assertEquals(Optional.of("12345"), auth.verify(signRaw("{\"sub\":\"12345\",\"exp\":" + exp + "}")));
  }

  @Test
  void hs256TokensPassTheSameClaimChecksAsAProvidersPlusAMaximumLifetime() throws Exception {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    JwtAuth auth = configured("issuer = \"https://parley.example\"\naudience = \"chat\"\nmax-token-lifetime = 24h", clock);
    JWTClaimsSet.Builder good = new JWTClaimsSet.Builder().subject("alice").issuer("https://parley.example")
        .audience("chat").issueTime(in(clock, Duration.ZERO)).expirationTime(in(clock, Duration.ofHours(1)));
    assertEquals(Optional.of("alice"), auth.verify(sign(good.build())));
    assertEquals(Optional.of("carol"), auth.verify(auth.issue("carol", Duration.ofHours(1))), "its own tokens");

    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).issuer("https://evil.example").build()))
        .isEmpty(), "another issuer");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).issuer(null).build())).isEmpty(),
        "no issuer");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).audience("other").build())).isEmpty(),
        "another audience");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).notBeforeTime(in(clock, Duration.ofMinutes(10)))
        .build())).isEmpty(), "not valid yet");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).expirationTime(in(clock, Duration.ofHours(25)))
        .build())).isEmpty(), "lives longer than 24 h");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).issueTime(null)
        .expirationTime(in(clock, Duration.ofDays(365))).build())).isEmpty(), "a year without iat");
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder(good.build()).issueTime(in(clock, Duration.ofDays(30)))
        .expirationTime(in(clock, Duration.ofDays(30).plusHours(1))).build())).isEmpty(),
        "an iat in the future does not stretch the lifetime");
  }

  @Test
  void withHs256OffTheSecretsTokensAreRefused() throws Exception {
    EntityHarness.ManualClock clock = new EntityHarness.ManualClock();
    JwtAuth auth = configured("hs256 = off", clock);
    assertTrue(auth.verify(sign(new JWTClaimsSet.Builder().subject("alice")
        .expirationTime(in(clock, Duration.ofMinutes(5))).build())).isEmpty());
  }
}
