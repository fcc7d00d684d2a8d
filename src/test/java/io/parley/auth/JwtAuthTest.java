package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
}
