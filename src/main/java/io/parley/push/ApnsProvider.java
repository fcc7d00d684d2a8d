package io.parley.push;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.typesafe.config.Config;
import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** APNs through pushy, with token-based (.p8) auth. */
public final class ApnsProvider implements PushProvider {
  private static final Logger log = LoggerFactory.getLogger(ApnsProvider.class);

  /** The app localizes this key; the push itself carries no text. */
  public static final String ALERT_KEY = "PARLEY_NEW_MESSAGE";
  static final Duration EXPIRY = Duration.ofDays(30);
  /** Answers meaning the token will never work for this app again. */
  private static final Set<String> DEAD_TOKEN_REASONS = Set.of("Unregistered", "ExpiredToken");

  private final ApnsClient client;
  private final String topic;
  private final Clock clock;

  ApnsProvider(ApnsClient client, String topic, Clock clock) {
    this.client = client;
    this.topic = topic;
    this.clock = clock;
  }

  /** The provider configured under {@code parley.push.apns}, or empty when it has no key. */
  public static Optional<PushProvider> fromConfig(Config config, Clock clock) {
    Config c = config.getConfig("parley.push.apns");
    if (c.getString("key-file").isEmpty()) {
      log.info("APNs push is off: PARLEY_APNS_KEY_FILE is not set");
      return Optional.empty();
    }
    if (!new File(c.getString("key-file")).canRead()) {
      log.warn("APNs push is off: the key file {} cannot be read", c.getString("key-file"));
      return Optional.empty();
    }
    for (String required : new String[] {"key-id", "team-id", "topic"}) {
      if (c.getString(required).isEmpty()) {
        log.warn("APNs push is off: PARLEY_APNS_{} is not set", required.replace('-', '_').toUpperCase());
        return Optional.empty();
      }
    }
    String endpoint = c.getString("endpoint");
    int colon = endpoint.lastIndexOf(':');
    try {
      ApnsClientBuilder builder = new ApnsClientBuilder()
          .setApnsServer(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)))
          .setSigningKey(ApnsSigningKey.loadFromPkcs8File(
              new File(c.getString("key-file")), c.getString("team-id"), c.getString("key-id")));
      if (!c.getString("trust-cert").isEmpty()) {
        builder.setTrustedServerCertificateChain(new File(c.getString("trust-cert")));
      }
      log.info("APNs push is on: {} for topic {}", endpoint, c.getString("topic"));
      return Optional.of(new ApnsProvider(builder.build(), c.getString("topic"), clock));
    } catch (Exception e) {
      throw new IllegalStateException("APNs is configured but cannot start: " + e.getMessage(), e);
    }
  }

  @Override
  public String platform() {
    return "apns";
  }

  @Override
  public CompletionStage<Verdict> send(PushNotification n) {
    return client.sendNotification(notification(n)).thenApply(ApnsProvider::verdict);
  }

  SimpleApnsPushNotification notification(PushNotification n) {
    String payload = new SimpleApnsPayloadBuilder()
        .setLocalizedAlertMessage(ALERT_KEY)
        .setMutableContent(true)
        .setBadgeNumber(n.badge())
        .addCustomProperty("conversation_id", n.conversationId())
        .addCustomProperty("seq", n.seq())
        .addCustomProperty("sender_id", n.senderId())
        .build();
    return new SimpleApnsPushNotification(
        n.token(), topic, payload, clock.instant().plus(EXPIRY),
        DeliveryPriority.IMMEDIATE, PushType.ALERT, n.conversationId());
  }

  private static Verdict verdict(PushNotificationResponse<SimpleApnsPushNotification> response) {
    if (response.isAccepted()) {
      return Verdict.ACCEPTED;
    }
    String reason = response.getRejectionReason().orElse("");
    int status = response.getStatusCode();
    if (DEAD_TOKEN_REASONS.contains(reason)) {
      return Verdict.TOKEN_INVALID;
    }
    // A sandbox/production endpoint mix-up gets BadDeviceToken for every token, a wrong topic
    // DeviceTokenNotForTopic: TokenRefusals keeps the tokens unless the settings are proven right.
    if (reason.equals("BadDeviceToken")) {
      return Verdict.TOKEN_REFUSED;
    }
    if (reason.equals("DeviceTokenNotForTopic")) {
      return Verdict.WRONG_APP;
    }
    if (status == 429 || status >= 500) {
      throw new TransientFailure("APNs answered " + status + " " + reason);
    }
    log.warn("APNs refused a push: {} {}", status, reason);
    return Verdict.REJECTED;
  }

  @Override
  public CompletionStage<Void> close() {
    return client.close();
  }
}
