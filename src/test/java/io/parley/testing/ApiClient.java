package io.parley.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP API as a client sees it. */
public final class ApiClient {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, JsonNode body) {}

  private final ParleyProcess node;

  public ApiClient(ParleyProcess node) {
    this.node = node;
  }

  public String token(String userId) {
    Response response = post(null, "/v1/dev/token", "{\"user_id\":\"" + userId + "\"}");
    if (response.status() != 200) {
      throw new IllegalStateException("dev token: " + response);
    }
    return response.body().get("token").asText();
  }

  public Response get(String token, String path) {
    return send(request(token, node.http(path)).GET().build());
  }

  public Response post(String token, String path, String body) {
    return send(request(token, node.http(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public Response put(String token, String path, String body) {
    return send(request(token, node.http(path))
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public Response delete(String token, String path, String body) {
    return send(request(token, node.http(path))
        .header("Content-Type", "application/json")
        .method("DELETE", HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A GET whose body is JSON lines: the status, the content type and each line parsed. */
  public record Lines(int status, String contentType, java.util.List<JsonNode> lines) {}

  public Lines getLines(String token, String path) {
    try {
      HttpResponse<java.util.stream.Stream<String>> response =
          HTTP.send(request(token, node.http(path)).GET().build(), HttpResponse.BodyHandlers.ofLines());
      java.util.List<JsonNode> lines = new java.util.ArrayList<>();
      for (String line : (Iterable<String>) response.body()::iterator) {
        lines.add(JSON.readTree(line));
      }
      return new Lines(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), lines);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.Builder request(String token, URI uri) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  private static Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = response.body().isEmpty() ? null : JSON.readTree(response.body());
      return new Response(response.statusCode(), body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
