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
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The few HTTP calls the bench makes: dev tokens, group creation and member additions. */
final class ParleyHttp {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Group changes refused as rate_limited or unavailable are sent again for this long at most. */
  private static final Duration RETRY_FOR = Duration.ofMinutes(10);

  /** A non-2xx answer; {@code retryAfterMs} from the error body, 0 if none. */
  static final class Refused extends IllegalStateException {
    final int status;
    final long retryAfterMs;

    Refused(String path, int status, String body, long retryAfterMs) {
      super("POST " + path + " answered " + status + ": " + body);
      this.status = status;
      this.retryAfterMs = retryAfterMs;
    }

    /** 429 rate_limited and 503 unavailable change nothing on the server, so the same request may go again. */
    boolean retryable() {
      return status == 429 || status == 503;
    }
  }

  private final HttpClient http;
  private final URI base;
  /** Group changes sent again after a retryable refusal (a raised group-change limit keeps this 0). */
  final LongAdder retries = new LongAdder();

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
    return retrying(token, "/v1/groups", body, System.nanoTime() + RETRY_FOR.toNanos())
        .join().get("conversation_id").asText();
  }

  /**
   * {@code POST /v1/conversations/{id}/members} with up to 1,000 ids, as an owner or admin; the
   * answer echoes them as {@code added}, and a page that came back short fails.
   */
  CompletableFuture<Void> addMembers(String token, String conversationId, List<String> members) {
    ObjectNode body = Report.JSON.createObjectNode();
    members.forEach(body.putArray("members")::add);
    String path = "/v1/conversations/" + conversationId + "/members";
    return retrying(token, path, body, System.nanoTime() + RETRY_FOR.toNanos()).thenAccept(reply -> {
      if (reply.path("added").size() != members.size()) {
        throw new IllegalStateException("POST " + path + " added " + reply.path("added").size()
            + " of " + members.size() + ": " + reply);
      }
    });
  }

  /** As {@link #post}, sent again after the server's retry_after_ms (100 ms at least) while retryable. */
  private CompletableFuture<JsonNode> retrying(String token, String path, ObjectNode body, long deadline) {
    return post(token, path, body).handle((reply, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof Refused refused && refused.retryable() && System.nanoTime() < deadline) {
        retries.increment();
        long pause = Math.max(Traffic.RETRY_PAUSE_MS, refused.retryAfterMs);
        return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS))
            .thenCompose(ignored -> retrying(token, path, body, deadline));
      }
      return CompletableFuture.<JsonNode>failedFuture(cause);
    }).thenCompose(next -> next);
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
        throw new Refused(path, response.statusCode(), response.body(), retryAfterMs(response.body()));
      }
      try {
        return Report.JSON.readTree(response.body());
      } catch (Exception e) {
        throw new IllegalStateException("POST " + path + " returned no JSON: " + response.body(), e);
      }
    });
  }

  private static long retryAfterMs(String body) {
    try {
      return Report.JSON.readTree(body).path("retry_after_ms").asLong(0);
    } catch (Exception notJson) {
      return 0;
    }
  }
}
