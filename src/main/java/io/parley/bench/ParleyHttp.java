package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The few HTTP calls the bench makes: dev tokens and group creation. */
final class ParleyHttp {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final URI base;

  ParleyHttp(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
  }

  /** A token from {@code POST /v1/dev/token}; the node must have dev tokens on (the embedded default). */
  CompletableFuture<String> token(String userId) {
    ObjectNode body = Report.JSON.createObjectNode().put("user_id", userId);
    return post(null, "/v1/dev/token", body).thenApply(reply -> reply.get("token").asText());
  }

  /** Creates a group as the token's user (who becomes a member too); returns its conversation id. */
  String createGroup(String token, String title, List<String> members) {
    ObjectNode body = Report.JSON.createObjectNode().put("title", title);
    members.forEach(body.putArray("members")::add);
    return post(token, "/v1/groups", body).join().get("conversation_id").asText();
  }

  private CompletableFuture<JsonNode> post(String token, String path, ObjectNode body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      try {
        return Report.JSON.readTree(response.body());
      } catch (Exception e) {
        throw new IllegalStateException("POST " + path + " returned no JSON: " + response.body(), e);
      }
    });
  }
}
