package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket connection of one device. It hands every frame to a {@link Handler}, counts
 * error frames, and acks every frame that has a {@code cursor} cumulatively on its own, so no
 * scenario can forget to (the server keeps unacked items, which would skew what it stores). A
 * {@code msg.new} without a cursor is still handed on, but never acked.
 */
final class BenchClient implements WebSocket.Listener {
  /** Called on the socket's thread, one frame at a time per client; must not block. */
  interface Handler {
    void onFrame(BenchClient client, JsonNode frame, String type, long receivedNanos);
  }

  static final Handler IGNORE = (client, frame, type, nanos) -> {};
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  /** Acks wait this long so a burst of msg.new costs one ack frame, as a real client would send. */
  private static final long ACK_DELAY_MS = 5;
  /** Marks the close in the outbox, so it goes out after the frames queued before it. */
  private static final String CLOSE = new String("close");

  final String userId;
  final String deviceId;
  private final Handler handler;
  private final ErrorTally errors;
  private final ScheduledExecutorService timer;
  private final CompletableFuture<JsonNode> hello = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  // The JDK WebSocket allows one outstanding send at a time; the outbox serialises them.
  private final ConcurrentLinkedQueue<String> outbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final AtomicLong highestCursor = new AtomicLong();
  private final AtomicLong ackedCursor = new AtomicLong();
  private final AtomicBoolean ackScheduled = new AtomicBoolean();
  private volatile WebSocket socket;
  private volatile boolean closing;

  BenchClient(String userId, String deviceId, Handler handler, ErrorTally errors, ScheduledExecutorService timer) {
    this.userId = userId;
    this.deviceId = deviceId;
    this.handler = handler;
    this.errors = errors;
    this.timer = timer;
  }

  /** Upgrades with the token and completes once {@code hello} has arrived. */
  CompletableFuture<BenchClient> connect(HttpClient http, URI webSocketUri, String token) {
    return http.newWebSocketBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .buildAsync(webSocketUri, this)
        .thenCompose(ws -> hello)
        .orTimeout(CONNECT_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)
        .thenApply(h -> this);
  }

  void send(String json) {
    outbox.add(json);
    pump();
  }

  boolean isOpen() {
    return socket != null && !closed.isDone();
  }

  /** The highest cursor received; every cursor up to it is acked by {@link #close()} at the latest. */
  long highestCursor() {
    return highestCursor.get();
  }

  /** Acks what is left, closes normally, and completes once the server has closed too (or 10 s passed). */
  CompletableFuture<Void> close() {
    closing = true;
    if (socket == null || closed.isDone()) {
      return CompletableFuture.completedFuture(null);
    }
    ackNow();
    send(CLOSE);
    return closed.completeOnTimeout(null, 10, TimeUnit.SECONDS).thenRun(() -> socket.abort());
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    long nanos = System.nanoTime();
    if (!last || partial.length() > 0) {
      partial.append(data);
      if (!last) {
        webSocket.request(1);
        return null;
      }
    }
    String text = partial.length() > 0 ? partial.toString() : data.toString();
    partial.setLength(0);
    try {
      JsonNode frame = Report.JSON.readTree(text);
      String type = frame.path("type").asText();
      switch (type) {
        case "hello" -> hello.complete(frame);
        case "error" -> errors.frame(frame);
        default -> { }
      }
      // Items of the user's stream (msg.new, receipts, deletions) carry a cursor; live msg.new in
      // large groups do not (they are not stream items, like history): nothing to ack for those.
      if (frame.path("cursor").isIntegralNumber()) {
        delivered(frame.get("cursor").asLong());
      }
      handler.onFrame(this, frame, type, nanos);
    } catch (Exception e) {
      errors.client("frame_handling", e + " on " + text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    if (!closing) {
      errors.client("closed_by_server", userId + ": " + statusCode + " " + reason);
    }
    hello.completeExceptionally(new IllegalStateException("closed before hello: " + statusCode + " " + reason));
    closed.complete(null);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    if (!closing) {
      errors.client("socket_error", userId + ": " + error);
    }
    hello.completeExceptionally(error);
    closed.complete(null);
  }

  private void delivered(long cursor) {
    highestCursor.accumulateAndGet(cursor, Math::max);
    if (ackScheduled.compareAndSet(false, true)) {
      timer.schedule(this::ackNow, ACK_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void ackNow() {
    ackScheduled.set(false);
    long cursor = highestCursor.get();
    if (ackedCursor.getAndAccumulate(cursor, Math::max) < cursor) {
      send("{\"type\":\"ack\",\"cursor\":" + cursor + "}");
    }
  }

  /** Sends queued frames one after another; whoever finds the pump idle runs it. */
  private void pump() {
    while (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
      String next;
      while ((next = outbox.poll()) != null) {
        CompletableFuture<WebSocket> sent = next == CLOSE
            ? socket.sendClose(WebSocket.NORMAL_CLOSURE, "")
            : socket.sendText(next, true);
        if (!sent.isDone()) {
          // Continue from the completion rather than block this (often the socket's) thread.
          sent.whenComplete((ws, failure) -> {
            sendFailed(failure);
            sending.set(false);
            pump();
          });
          return;
        }
        sendFailed(sent.handle((ws, failure) -> failure).join());
      }
      sending.set(false);
    }
  }

  private void sendFailed(Throwable failure) {
    if (failure != null && !closing) {
      errors.client("send_failed", userId + ": " + failure);
    }
  }
}
