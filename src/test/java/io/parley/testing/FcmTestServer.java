package io.parley.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server playing FCM's HTTP v1 API ({@code POST /v1/projects/{id}/messages:send})
 * and the OAuth token endpoint that the service-account file it writes names as its token_uri.
 * Sends without the access token it issued are refused with 401, as Google would.
 */
public final class FcmTestServer implements AutoCloseable {
  public static final String PROJECT_ID = "parley-test";
  public static final String ACCESS_TOKEN = "ya29.test-access-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A send request: its path, Authorization header and JSON body. */
  public record Send(String path, String authorization, JsonNode body) {
    public JsonNode message() {
      return body.path("message");
    }
  }

  public final Path credentialsFile;
  public final BlockingQueue<Send> sends = new LinkedBlockingQueue<>();
  public final AtomicInteger tokenRequests = new AtomicInteger();
  private final Set<String> deadTokens = ConcurrentHashMap.newKeySet();
  private final Set<String> malformedTokens = ConcurrentHashMap.newKeySet();
  private final Set<String> otherSendersTokens = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failStatus = 500;
  private volatile CountDownLatch hang = new CountDownLatch(0);
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  public FcmTestServer(Path dir) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/token", this::token);
    server.createContext("/v1/projects/", this::send);
    server.start();

    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String privateKey = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    ObjectNode account = JSON.createObjectNode()
        .put("type", "service_account")
        .put("project_id", PROJECT_ID)
        .put("private_key_id", "test-key-1")
        .put("private_key", privateKey)
        .put("client_email", "push@" + PROJECT_ID + ".iam.gserviceaccount.com")
        .put("client_id", "1234567890")
        .put("token_uri", baseUrl() + "/token");
    credentialsFile = dir.resolve("fcm-service-account.json");
    Files.writeString(credentialsFile, JSON.writeValueAsString(account));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Environment for a node that pushes here. */
  public Map<String, String> nodeEnv() {
    return Map.of(
        "PARLEY_FCM_CREDENTIALS_FILE", credentialsFile.toString(),
        "PARLEY_FCM_PROJECT_ID", PROJECT_ID,
        "PARLEY_FCM_ENDPOINT", baseUrl());
  }

  /** The app was uninstalled: FCM answers 404 UNREGISTERED for this token. */
  public void unregister(String token) {
    deadTokens.add(token);
  }

  /** FCM cannot read this token: 400 INVALID_ARGUMENT, as for a token cut short or from the wrong project. */
  public void malformed(String token) {
    malformedTokens.add(token);
  }

  /** The token was issued to another Firebase project's sender: 403 SENDER_ID_MISMATCH. */
  public void ofAnotherSender(String token) {
    otherSendersTokens.add(token);
  }

  /** The next {@code count} sends get {@code status} (500, 503, 429, ...). */
  public void failNext(int count, int status) {
    failStatus = status;
    failuresLeft.set(count);
  }

  /** Sends hang, answering nothing, until {@link #recover}. */
  public void hang() {
    hang = new CountDownLatch(1);
  }

  public void recover() {
    hang.countDown();
  }

  private void token(HttpExchange exchange) throws IOException {
    tokenRequests.incrementAndGet();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    if (!body.contains("grant_type=urn")) {
      respond(exchange, 400, "{\"error\":\"invalid_grant\"}");
      return;
    }
    respond(exchange, 200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
  }

  private void send(HttpExchange exchange) throws IOException {
    JsonNode body = JSON.readTree(exchange.getRequestBody());
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    sends.add(new Send(exchange.getRequestURI().getPath(), authorization, body));
    try {
      hang.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!("Bearer " + ACCESS_TOKEN).equals(authorization)) {
      respond(exchange, 401, error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"));
    } else if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      respond(exchange, failStatus, failStatus == 429
          ? error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")
          : error(failStatus, "INTERNAL", "INTERNAL"));
    } else if (deadTokens.contains(body.path("message").path("token").asText())) {
      respond(exchange, 404, error(404, "NOT_FOUND", "UNREGISTERED"));
    } else if (malformedTokens.contains(body.path("message").path("token").asText())) {
      respond(exchange, 400, error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"));
    } else if (otherSendersTokens.contains(body.path("message").path("token").asText())) {
      respond(exchange, 403, error(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH"));
    } else {
      respond(exchange, 200, "{\"name\":\"projects/" + PROJECT_ID + "/messages/" + System.nanoTime() + "\"}");
    }
  }

  private static String error(int code, String status, String fcmErrorCode) {
    return "{\"error\":{\"code\":" + code + ",\"message\":\"" + status + "\",\"status\":\"" + status + "\","
        + "\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\""
        + fcmErrorCode + "\"}]}}";
  }

  private static void respond(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    recover();
    server.stop(0);
    executor.shutdownNow();
  }
}
