package io.parley.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eatthepath.pushy.apns.server.RejectionReason;
import com.fasterxml.jackson.databind.JsonNode;
import io.parley.push.PushProvider.Verdict;
import io.parley.testing.ApnsTestServer;
import io.parley.testing.FcmTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both providers, configured as in production from key files, against real protocol peers:
 * pushy's MockApnsServer (TLS, token auth verified) and a local FCM v1 + OAuth server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushProvidersTest {
  @TempDir static Path dir;
  PushPeers peers;
  ApnsTestServer apnsServer;
  FcmTestServer fcmServer;
  PushProvider apns;
  PushProvider fcm;

  @BeforeAll
  void start() throws Exception {
    peers = new PushPeers(dir);
    apnsServer = peers.apnsServer;
    fcmServer = peers.fcmServer;
    apns = peers.apns;
    fcm = peers.fcm;
  }

  @AfterAll
  void stop() throws Exception {
    peers.close();
  }

  static PushNotification push(String platform, String token) {
    return new PushNotification("bob", platform, token, "g.climbing", 42, "alice", 7);
  }

  static Verdict send(PushProvider provider, PushNotification push) throws Exception {
    return provider.send(push).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void apnsGetsAnAlertWithMetadataOnlyAndTheRightHeaders() throws Exception {
    apnsServer.addDeviceToken(ApnsTestServer.token("aa01"));
    assertEquals(Verdict.ACCEPTED, send(apns, push("apns", ApnsTestServer.token("aa01"))));

    ApnsTestServer.Push received = apnsServer.accepted.poll(5, TimeUnit.SECONDS);
    assertNotNull(received);
    assertEquals(ApnsTestServer.token("aa01"), received.token());
    assertEquals(ApnsTestServer.TOPIC, received.headers().get("apns-topic"));
    assertEquals("alert", received.headers().get("apns-push-type"));
    assertEquals("10", received.headers().get("apns-priority"));
    assertEquals("g.climbing", received.headers().get("apns-collapse-id"));
    long expiration = Long.parseLong(received.headers().get("apns-expiration"));
    long thirtyDays = Instant.now().plus(Duration.ofDays(30)).getEpochSecond();
    assertTrue(Math.abs(expiration - thirtyDays) < 120, "expiry is 30 days out: " + expiration);
    assertTrue(received.headers().get("authorization").startsWith("bearer "), "token-based auth");

    JsonNode aps = received.payload().path("aps");
    assertEquals(ApnsProvider.ALERT_KEY, aps.path("alert").path("loc-key").asText());
    assertFalse(aps.path("alert").has("body"), "no message text");
    assertEquals(1, aps.path("mutable-content").asInt());
    assertEquals(7, aps.path("badge").asInt());
    assertEquals("g.climbing", received.payload().path("conversation_id").asText());
    assertEquals(42, received.payload().path("seq").asLong());
    assertEquals("alice", received.payload().path("sender_id").asText());
  }

  @Test
  void apnsDeadTokensAreReportedInvalid() throws Exception {
    // A wrong endpoint or topic gets these two answers for every token: they only suggest a dead token.
    assertEquals(Verdict.TOKEN_REFUSED, send(apns, push("apns", "not-a-token")), "BadDeviceToken");
    assertEquals(Verdict.WRONG_APP, send(apns, push("apns", ApnsTestServer.token("bb02"))), "DeviceTokenNotForTopic");
    assertTrue(apnsServer.rejected.stream().map(ApnsTestServer.Push::rejection)
        .toList().containsAll(List.of(RejectionReason.BAD_DEVICE_TOKEN, RejectionReason.DEVICE_TOKEN_NOT_FOR_TOPIC)));
    apnsServer.addDeviceToken(ApnsTestServer.token("bb03"));
    apnsServer.unregister(ApnsTestServer.token("bb03"));
    assertEquals(Verdict.TOKEN_INVALID, send(apns, push("apns", ApnsTestServer.token("bb03"))), "Unregistered");
    assertTrue(apnsServer.rejected.stream().anyMatch(p -> p.rejection() == RejectionReason.UNREGISTERED));
  }

  @Test
  void apnsOverloadAndOutagesAreTransient() {
    apnsServer.addDeviceToken(ApnsTestServer.token("cc04"));
    for (RejectionReason reason : new RejectionReason[] {RejectionReason.SERVICE_UNAVAILABLE, RejectionReason.TOO_MANY_REQUESTS}) {
      apnsServer.failNext(1, reason);
      ExecutionException failure = assertThrows(ExecutionException.class, () -> send(apns, push("apns", ApnsTestServer.token("cc04"))));
      assertInstanceOf(PushProvider.TransientFailure.class, failure.getCause(), reason.name());
    }
  }

  @Test
  void fcmGetsAHighPriorityDataMessageWithMetadataOnly() throws Exception {
    fcmServer.sends.clear();
    assertEquals(Verdict.ACCEPTED, send(fcm, push("fcm", "fcm-token-1")));

    FcmTestServer.Send received = fcmServer.sends.poll(5, TimeUnit.SECONDS);
    assertNotNull(received);
    assertEquals("/v1/projects/" + FcmTestServer.PROJECT_ID + "/messages:send", received.path());
    assertEquals("Bearer " + FcmTestServer.ACCESS_TOKEN, received.authorization(), "OAuth token from the file's token_uri");
    assertTrue(fcmServer.tokenRequests.get() >= 1);
    JsonNode message = received.message();
    assertEquals("fcm-token-1", message.path("token").asText());
    assertEquals(Map.of("conversation_id", "g.climbing", "seq", "42", "sender_id", "alice", "badge", "7"),
        new com.fasterxml.jackson.databind.ObjectMapper().convertValue(message.path("data"), Map.class));
    assertFalse(message.has("notification"), "a data message, no notification text");
    assertEquals("high", message.path("android").path("priority").asText());
    assertEquals("g.climbing", message.path("android").path("collapse_key").asText());
    assertEquals("2419200s", message.path("android").path("ttl").asText(), "28 days");
  }

  @Test
  void fcmUnregisteredTokensAreReportedInvalidAndFailuresAreTransient() throws Exception {
    fcmServer.unregister("fcm-dead");
    assertEquals(Verdict.TOKEN_INVALID, send(fcm, push("fcm", "fcm-dead")));
    fcmServer.malformed("fcm-cut-short");
    assertEquals(Verdict.TOKEN_REFUSED, send(fcm, push("fcm", "fcm-cut-short")), "INVALID_ARGUMENT");
    fcmServer.ofAnotherSender("fcm-other-project");
    assertEquals(Verdict.WRONG_APP, send(fcm, push("fcm", "fcm-other-project")), "SENDER_ID_MISMATCH");
    for (int status : new int[] {500, 429}) {
      fcmServer.failNext(1, status);
      ExecutionException failure = assertThrows(ExecutionException.class, () -> send(fcm, push("fcm", "fcm-token-2")));
      assertInstanceOf(PushProvider.TransientFailure.class, failure.getCause(), "status " + status);
    }
  }

  @Test
  void aPushHasNoPlaceForContent() {
    // Providers build pushes from PushNotification alone; PushIT checks the bytes on the wire.
    assertTrue(java.util.Arrays.stream(PushNotification.class.getRecordComponents())
        .noneMatch(c -> c.getName().contains("content")));
  }
}
