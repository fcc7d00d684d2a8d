package io.parley.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client (java.net.http) that records every frame it receives. Tests wait for
 * frames matching a condition, with a bounded timeout, rather than sleeping.
 */
public final class WsClient implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Listener listener;
  private final WebSocket socket;

  private WsClient(Listener listener, WebSocket socket) {
    this.listener = listener;
    this.socket = socket;
  }

  public static WsClient connect(ParleyProcess node, String token, String deviceId) {
    return connect(node.ws("device_id=" + deviceId), token);
  }

  /** As {@link #connect(ParleyProcess, String, String)}, returned once the node's hello has arrived. */
  public static WsClient connectAndAwaitHello(ParleyProcess node, String token, String deviceId) {
    WsClient client = connect(node, token, deviceId);
    client.await(type("hello"));
    return client;
  }

  public static WsClient connect(URI uri, String token) {
    Listener listener = new Listener();
    WebSocket.Builder builder =
        HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return new WsClient(listener, builder.buildAsync(uri, listener).join());
  }

  private static final class Listener implements WebSocket.Listener {
    final LinkedBlockingDeque<JsonNode> unread = new LinkedBlockingDeque<>();
    final List<JsonNode> all = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode frame = ApiClient.JSON.readTree(text.toString());
          all.add(frame);
          unread.add(frame);
        } catch (Exception e) {
          closeCode.completeExceptionally(new AssertionError("server sent invalid JSON: " + text, e));
        }
        text.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.complete(-1);
    }
  }

  /** Every frame received so far, in order. */
  public List<JsonNode> all() {
    return List.copyOf(listener.all);
  }

  public void send(String text) {
    socket.sendText(text, true).join();
  }

  public void send(ObjectNode frame) {
    send(frame.toString());
  }

  /** One text message sent as several frames: the first, then continuations. */
  public void sendInFrames(String... parts) {
    for (int i = 0; i < parts.length; i++) {
      socket.sendText(parts[i], i == parts.length - 1).join();
    }
  }

  public void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public static ObjectNode frame(String type) {
    return ApiClient.JSON.createObjectNode().put("type", type);
  }

  /** The next unread frame matching {@code condition}; unread frames before it stay unread. */
  public JsonNode await(Predicate<JsonNode> condition) {
    return await(condition, TIMEOUT);
  }

  public JsonNode await(Predicate<JsonNode> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> skipped = new ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode next = left <= 0 ? null : listener.unread.poll(left, TimeUnit.NANOSECONDS);
        if (next == null) {
          throw new AssertionError("no frame matched within " + timeout + "; received " + all());
        }
        if (condition.test(next)) {
          return next;
        }
        skipped.add(next);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      for (int i = skipped.size() - 1; i >= 0; i--) {
        listener.unread.addFirst(skipped.get(i));
      }
    }
  }

  /** The next unread frame, if one arrives within {@code timeout}. */
  public java.util.Optional<JsonNode> poll(Duration timeout) {
    try {
      return java.util.Optional.ofNullable(listener.unread.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** Sends {@code frame} with a fresh req_id and returns the reply carrying it. */
  public JsonNode request(ObjectNode frame) {
    String reqId = "r" + System.nanoTime();
    send(frame.put("req_id", reqId));
    return await(reply(reqId));
  }

  public static Predicate<JsonNode> type(String type) {
    return f -> type.equals(f.path("type").asText());
  }

  public static Predicate<JsonNode> reply(String reqId) {
    return f -> reqId.equals(f.path("req_id").asText(null));
  }

  public boolean isClosed() {
    return listener.closeCode.isDone();
  }

  /** Whether the server closes the connection within {@code window}. */
  public boolean closesWithin(Duration window) {
    try {
      listener.closeCode.get(window.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException stillOpen) {
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  /** The close code the server sent (-1 if the connection broke without one). */
  public int awaitClose() {
    return listener.closeCode.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Closes from our side; from then on {@link #isClosed()} is true, as after a server close. */
  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    socket.abort();
    listener.closeCode.complete(WebSocket.NORMAL_CLOSURE);
  }
}
