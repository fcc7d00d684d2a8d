package io.parley.push;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.core.ApiFuture;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.MessagingErrorCode;
import com.typesafe.config.Config;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** FCM through firebase-admin's HTTP v1 client, authenticated by a service account. */
public final class FcmProvider implements PushProvider {
  private static final Logger log = LoggerFactory.getLogger(FcmProvider.class);

  static final String DEFAULT_ENDPOINT = "https://fcm.googleapis.com";
  static final Duration TTL = Duration.ofDays(28);
  private static final int TIMEOUT_MILLIS = 10_000;

  private final FirebaseApp app;
  private final FirebaseMessaging messaging;

  FcmProvider(FirebaseApp app) {
    this.app = app;
    this.messaging = FirebaseMessaging.getInstance(app);
  }

  /** The provider configured under {@code parley.push.fcm}, or empty when it has no credentials. */
  public static Optional<PushProvider> fromConfig(Config config) {
    Config c = config.getConfig("parley.push.fcm");
    if (c.getString("credentials-file").isEmpty()) {
      log.info("FCM push is off: PARLEY_FCM_CREDENTIALS_FILE is not set");
      return Optional.empty();
    }
    if (!Files.isReadable(Path.of(c.getString("credentials-file")))) {
      log.warn("FCM push is off: the credentials file {} cannot be read", c.getString("credentials-file"));
      return Optional.empty();
    }
    HttpTransport transport = transportTo(c.getString("endpoint"));
    try (InputStream json = Files.newInputStream(Path.of(c.getString("credentials-file")))) {
      // The credentials fetch OAuth tokens from the file's own token_uri over the same transport.
      FirebaseOptions.Builder options = FirebaseOptions.builder()
          .setCredentials(GoogleCredentials.fromStream(json, () -> transport))
          .setHttpTransport(transport)
          .setConnectTimeout(TIMEOUT_MILLIS)
          .setReadTimeout(TIMEOUT_MILLIS);
      if (!c.getString("project-id").isEmpty()) {
        options.setProjectId(c.getString("project-id"));
      }
      FirebaseApp app = FirebaseApp.initializeApp(options.build(), "parley-fcm-" + System.nanoTime());
      log.info("FCM push is on: {} for project {}", c.getString("endpoint"), app.getOptions().getProjectId());
      return Optional.of(new FcmProvider(app));
    } catch (Exception e) {
      throw new IllegalStateException("FCM is configured but cannot start: " + e.getMessage(), e);
    }
  }

  /**
   * firebase-admin always calls fcm.googleapis.com; this transport sends those calls to
   * {@code endpoint} instead (a regional proxy, or a test server), and everything else unchanged.
   */
  static HttpTransport transportTo(String endpoint) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    return new NetHttpTransport.Builder()
        .setConnectionFactory(url -> {
          String target = url.toString();
          if (!base.equals(DEFAULT_ENDPOINT) && target.startsWith(DEFAULT_ENDPOINT + "/")) {
            target = base + target.substring(DEFAULT_ENDPOINT.length());
          }
          return (HttpURLConnection) new URL(target).openConnection();
        })
        .build();
  }

  @Override
  public String platform() {
    return "fcm";
  }

  @Override
  public CompletionStage<Verdict> send(PushNotification n) {
    CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    ApiFuture<String> sent = messaging.sendAsync(message(n));
    ApiFutures.addCallback(sent, new ApiFutureCallback<>() {
      @Override
      public void onSuccess(String messageId) {
        verdict.complete(Verdict.ACCEPTED);
      }

      @Override
      public void onFailure(Throwable failure) {
        try {
          verdict.complete(verdict(failure));
        } catch (RuntimeException transientFailure) {
          verdict.completeExceptionally(transientFailure);
        }
      }
    }, MoreExecutors.directExecutor());
    return verdict;
  }

  static Message message(PushNotification n) {
    return Message.builder()
        .setToken(n.token())
        .putData("conversation_id", n.conversationId())
        .putData("seq", Long.toString(n.seq()))
        .putData("sender_id", n.senderId())
        .putData("badge", Integer.toString(n.badge()))
        .setAndroidConfig(AndroidConfig.builder()
            .setPriority(AndroidConfig.Priority.HIGH)
            .setCollapseKey(n.conversationId())
            .setTtl(TTL.toMillis())
            .build())
        .build();
  }

  private static Verdict verdict(Throwable failure) {
    if (!(failure instanceof FirebaseMessagingException fcm)) {
      throw new TransientFailure("FCM call failed: " + failure);
    }
    // UNREGISTERED (404) is a token that will never work again. A wrong project gets
    // SENDER_ID_MISMATCH or INVALID_ARGUMENT for every token: TokenRefusals keeps those tokens
    // unless the settings are proven right.
    MessagingErrorCode code = fcm.getMessagingErrorCode();
    if (code == MessagingErrorCode.UNREGISTERED) {
      return Verdict.TOKEN_INVALID;
    }
    if (code == MessagingErrorCode.INVALID_ARGUMENT) {
      return Verdict.TOKEN_REFUSED;
    }
    if (code == MessagingErrorCode.SENDER_ID_MISMATCH) {
      return Verdict.WRONG_APP;
    }
    int status = fcm.getHttpResponse() == null ? 0 : fcm.getHttpResponse().getStatusCode();
    if (status == 0 || status == 429 || status >= 500) {
      throw new TransientFailure("FCM answered " + status + " " + fcm.getErrorCode());
    }
    log.warn("FCM refused a push: {} {} {}", status, fcm.getErrorCode(), fcm.getMessage());
    return Verdict.REJECTED;
  }

  @Override
  public CompletionStage<Void> close() {
    app.delete();
    return CompletableFuture.completedFuture(null);
  }
}
