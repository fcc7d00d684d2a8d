package io.parley.testing;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * pushy's MockApnsServer over TLS, verifying token auth against a key generated here: it accepts
 * only tokens registered with {@link #addDeviceToken}, as real APNs does. It writes the .p8 key
 * and the certificate to trust, so a node can be configured with files like production's.
 */
public final class ApnsTestServer implements AutoCloseable {
  public static final String TOPIC = "io.parley.app";
  public static final String TEAM_ID = "TEAM123456";
  public static final String KEY_ID = "KEY1234567";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A push the server saw: its HTTP/2 headers, device token and JSON payload. */
  public record Push(Map<String, String> headers, String token, String rawPayload, JsonNode payload, RejectionReason rejection) {}

  public final Path keyFile;
  public final Path certFile;
  public final int port;
  public final BlockingQueue<Push> accepted = new LinkedBlockingQueue<>();
  public final BlockingQueue<Push> rejected = new LinkedBlockingQueue<>();
  private final Set<String> tokens = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> unregistered = new ConcurrentHashMap<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile RejectionReason failWith = RejectionReason.SERVICE_UNAVAILABLE;
  private final MockApnsServer server;
  /**
   * The server's own threads: a server that makes its own stops them with Netty's graceful
   * shutdown, which waits a 2 s quiet period for tasks that never come once its channels are closed.
   */
  private final EventLoopGroup threads = new NioEventLoopGroup(1);

  public ApnsTestServer(Path dir) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    keyFile = dir.resolve("AuthKey_" + KEY_ID + ".p8");
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
    certFile = dir.resolve("apns-test-ca.pem");
    Files.copy(certificate.certificate().toPath(), certFile);

    ApnsVerificationKey verificationKey = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) keys.getPublic());
    PushNotificationHandlerFactory validating = new ValidatingPushNotificationHandlerFactory(
        Map.of(TOPIC, tokens), unregistered, Map.of(KEY_ID, verificationKey), Map.of(verificationKey, Set.of(TOPIC)));
    PushNotificationHandlerFactory failing = session -> {
      PushNotificationHandler handler = validating.buildHandler(session);
      return (headers, payload) -> {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new RejectedNotificationException(failWith);
        }
        handler.handlePushNotification(headers, payload);
      };
    };
    server = new MockApnsServerBuilder()
        .setEventLoopGroup(threads)
        .setServerCredentials(certificate.certificate(), certificate.privateKey(), null)
        .setHandlerFactory(failing)
        .setListener(new MockApnsServerListener() {
          @Override
          public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
            accepted.add(push(headers, payload, null));
          }

          @Override
          public void handlePushNotificationRejected(
              Http2Headers headers, ByteBuf payload, RejectionReason reason, Instant deviceTokenExpiration) {
            rejected.add(push(headers, payload, reason));
          }
        })
        .build();
    port = server.start(0).get();
  }

  /** The endpoint for PARLEY_APNS_ENDPOINT. */
  public String endpoint() {
    return "localhost:" + port;
  }

  /** Environment for a node that pushes here. */
  public Map<String, String> nodeEnv() {
    return Map.of(
        "PARLEY_APNS_KEY_FILE", keyFile.toString(),
        "PARLEY_APNS_KEY_ID", KEY_ID,
        "PARLEY_APNS_TEAM_ID", TEAM_ID,
        "PARLEY_APNS_TOPIC", TOPIC,
        "PARLEY_APNS_ENDPOINT", endpoint(),
        "PARLEY_APNS_TRUST_CERT", certFile.toString());
  }

  /** An APNs-shaped device token (64 hex digits) derived from {@code name}. */
  public static String token(String name) {
    String hex = java.util.HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8));
    return (hex + "0".repeat(64)).substring(0, 64);
  }

  public void addDeviceToken(String token) {
    tokens.add(token);
  }

  /** The app was removed from the device: APNs answers 410 Unregistered. */
  public void unregister(String token) {
    unregistered.put(token, Instant.now());
  }

  /** The next {@code count} pushes are refused with {@code reason} (e.g. 503, 429). */
  public void failNext(int count, RejectionReason reason) {
    failWith = reason;
    failuresLeft.set(count);
  }

  private static Push push(Http2Headers headers, ByteBuf payload, RejectionReason rejection) {
    Map<String, String> map = new HashMap<>();
    headers.forEach(header -> map.put(header.getKey().toString(), header.getValue().toString()));
    String path = map.getOrDefault(":path", "");
    String raw = payload == null ? "" : payload.toString(StandardCharsets.UTF_8);
    JsonNode json;
    try {
      json = raw.isEmpty() ? null : JSON.readTree(raw);
    } catch (Exception e) {
      json = null;
    }
    return new Push(map, path.substring(path.lastIndexOf('/') + 1), raw, json, rejection);
  }

  @Override
  public void close() throws Exception {
    server.shutdown().get();
    threads.shutdownGracefully(0, 10, TimeUnit.SECONDS).get();
  }
}
