package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testing.ApiClient;
import io.parley.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Load against a running node: N users, each sending M messages over its WebSocket to a direct
 * conversation with the next user, at most W unacked at a time. Every message is delivered to two
 * devices (sender and partner). Reports acks/s and send→ack and send→deliver latency.
 *
 * <pre>
 * PARLEY_RATE_LIMIT_PER_MINUTE=1000000 PARLEY_RATE_LIMIT_BURST=100000 java -jar target/parley.jar
 * java -cp target/test-classes:target/parley.jar io.parley.bench.SendBenchmark http://127.0.0.1:8080 20 500 20
 * </pre>
 */
public final class SendBenchmark {
  public static void main(String[] args) throws Exception {
    String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
    int users = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int messages = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    String run = Long.toString(System.currentTimeMillis(), 36);

    List<String> ids = new ArrayList<>();
    List<WsClient> sockets = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      String user = "bench" + run + "u" + i;
      ids.add(user);
      URI ws = URI.create(base.replace("http", "ws") + "/v1/ws?device_id=bench");
      sockets.add(WsClient.connect(ws, token(base, user)));
    }
    List<Long> ackLatencies = Collections.synchronizedList(new ArrayList<>());
    List<Long> deliverLatencies = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(users);
    long start = System.nanoTime();
    List<Future<?>> work = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      int me = i;
      work.add(pool.submit(() -> {
        String partner = ids.get((me + 1) % users);
        String conversation = direct(ids.get(me), partner);
        WsClient ws = sockets.get(me);
        long[] sentAt = new long[messages];
        int acked = 0;
        int sent = 0;
        int delivered = 0;
        long highestCursor = 0;
        // Each user receives its own messages and its left neighbour's.
        while (acked < messages || delivered < 2 * messages) {
          while (sent < messages && sent - acked < window) {
            sentAt[sent] = System.nanoTime();
            ws.send(WsClient.frame("msg.send").put("req_id", Integer.toString(sent))
                .put("conversation_id", conversation).put("client_msg_id", "m" + sent)
                .put("content", "t=" + sentAt[sent]));
            sent++;
          }
          Optional<JsonNode> frame = ws.poll(Duration.ofSeconds(30));
          if (frame.isEmpty()) {
            throw new IllegalStateException(ids.get(me) + " stalled at " + acked + " acks, " + delivered + " deliveries");
          }
          JsonNode f = frame.get();
          String type = f.path("type").asText();
          if (type.equals("msg.ack")) {
            ackLatencies.add(System.nanoTime() - sentAt[Integer.parseInt(f.get("req_id").asText())]);
            acked++;
          } else if (type.equals("msg.new")) {
            deliverLatencies.add(System.nanoTime() - Long.parseLong(f.get("content").asText().substring(2)));
            delivered++;
            highestCursor = f.get("cursor").asLong();
            if (delivered % 50 == 0) {
              ws.send(WsClient.frame("ack").put("cursor", highestCursor));
            }
          } else if (type.equals("error")) {
            throw new IllegalStateException("error: " + f);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = users * messages;
    System.out.printf("%d users x %d messages (window %d): %.1f s, %.0f messages/s acked, %.0f deliveries/s%n",
        users, messages, window, seconds, total / seconds, 2 * total / seconds);
    System.out.printf("send->ack     ms: p50 %.1f  p95 %.1f  p99 %.1f%n",
        pct(ackLatencies, 50), pct(ackLatencies, 95), pct(ackLatencies, 99));
    System.out.printf("send->deliver ms: p50 %.1f  p95 %.1f  p99 %.1f%n",
        pct(deliverLatencies, 50), pct(deliverLatencies, 95), pct(deliverLatencies, 99));
    sockets.forEach(WsClient::close);
    pool.shutdownNow();
  }

  private static String direct(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  private static double pct(List<Long> nanos, int percentile) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percentile / 100)) / 1e6;
  }

  private static String token(String base, String user) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base + "/v1/dev/token"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"user_id\":\"" + user + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return ApiClient.JSON.readTree(response.body()).get("token").asText();
  }
}
