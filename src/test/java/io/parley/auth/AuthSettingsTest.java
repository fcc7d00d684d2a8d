package io.parley.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up rules of {@code parley.auth}: what a node refuses, and the secret it makes itself. */
class AuthSettingsTest {
  @TempDir Path temp;

  private static AuthSettings settings(String overrides) {
    return AuthSettings.from(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.load().getConfig("parley.auth")));
  }

  private static String refusal(String overrides, String host) {
    return settings(overrides).refusal(host).orElse("");
  }

  @Test
  void devTokensOnlyOnLoopbackUnlessExplicitlyPublic() {
    assertEquals(Optional.empty(), settings("").refusal("127.0.0.1"), "the embedded default");
    assertTrue(refusal("", "0.0.0.0").contains("PARLEY_DEV_TOKENS=insecure-public"));
    assertTrue(refusal("", "10.1.2.3").contains("10.1.2.3"));
    assertEquals(Optional.empty(), settings("dev-tokens = insecure-public").refusal("0.0.0.0"));
    assertThrows(IllegalArgumentException.class, () -> settings("dev-tokens = maybe"));
  }

  @Test
  void aNodeWithNoWayToVerifyTokensRefusesToStart() {
    assertTrue(refusal("dev-tokens = off", "0.0.0.0").contains("PARLEY_JWT_SECRET"), "no secret, no JWKS");
    assertEquals(Optional.empty(), settings("dev-tokens = off\njwt-secret = \"" + JwtAuthTest.SECRET + "\"")
        .refusal("0.0.0.0"));
    assertEquals(Optional.empty(), settings("dev-tokens = off\nhs256 = off\njwks-url = \"https://idp.example/jwks\"")
        .refusal("0.0.0.0"), "a provider's tokens only");
    assertTrue(refusal("dev-tokens = off\nhs256 = off", "0.0.0.0").contains("PARLEY_JWT_JWKS_URL"));
    assertTrue(refusal("hs256 = off", "127.0.0.1").contains("PARLEY_JWT_HS256"), "dev tokens are HS256 tokens");
    assertTrue(refusal("dev-token-ttl = 48h", "127.0.0.1").contains("PARLEY_JWT_MAX_LIFETIME"));
  }

  @Test
  void shortTokensNeedNoDevTokenSettingWhenDevTokensAreOff() {
    // A deployment with its own HS256 issuer and short tokens: dev tokens, whose life it cannot
    // set by a variable, do not exist there.
    assertEquals(Optional.empty(), settings("dev-tokens = off\nmax-token-lifetime = 1h\njwt-secret = \""
        + JwtAuthTest.SECRET + "\"").refusal("0.0.0.0"));
    assertTrue(refusal("max-token-lifetime = 1h", "127.0.0.1").contains("PARLEY_JWT_MAX_LIFETIME"),
        "dev tokens that would be refused as soon as made");
  }

  @Test
  void theGeneratedSecretIsRandomPerDataDirKeptAcrossStartsAndOwnerOnly() throws Exception {
    assertTrue(settings("").needsGeneratedSecret());
    assertTrue(!settings("jwt-secret = \"" + JwtAuthTest.SECRET + "\"").needsGeneratedSecret(), "a configured one wins");
    Path one = Files.createDirectory(temp.resolve("one"));
    Path two = Files.createDirectory(temp.resolve("two"));
    String first = SecretFile.readOrCreate(one);
    assertTrue(first.length() >= 32, first);
    assertEquals(first, SecretFile.readOrCreate(one), "the same data dir keeps its secret");
    assertNotEquals(first, SecretFile.readOrCreate(two), "another data dir has another");
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(one.resolve(SecretFile.NAME))));
  }
}
