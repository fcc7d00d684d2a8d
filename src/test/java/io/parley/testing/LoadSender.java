package io.parley.testing;

import static io.parley.testing.LoadClients.pause;
import static io.parley.testing.LoadClients.trySend;
import static io.parley.testing.WsClient.frame;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ChatLoad}'s senders: each message is sent again with its client_msg_id until it is
 * acked, whatever node answers, one at a time or pipelined.
 */
final class LoadSender {
  private final LoadClients clients;
  /** What senders were told: client_msg_id → msg.ack. */
  private final Map<String, JsonNode> acks;
  private final AtomicInteger acked;

  LoadSender(LoadClients clients, Map<String, JsonNode> acks, AtomicInteger acked) {
    this.clients = clients;
    this.acks = acks;
    this.acked = acked;
  }

  void sendAll(String user, List<String> conversations, int count) {
    WsClient ws = null;
    for (int i = 0; i < count; i++) {
      String conversation = conversations.get(i % conversations.size());
      String clientMsgId = user + "-" + i;
      while (!acks.containsKey(clientMsgId)) {
        if (ws == null || ws.isClosed()) {
          ws = clients.connect(user, "sender");
        }
        String reqId = clientMsgId + "-" + System.nanoTime();
        if (!trySend(ws, frame("msg.send").put("req_id", reqId).put("conversation_id", conversation)
            .put("client_msg_id", clientMsgId).put("content", "message " + clientMsgId))) {
          ws = null;
          continue;
        }
        Optional<JsonNode> reply = awaitReply(ws, reqId);
        if (reply.isPresent() && "msg.ack".equals(reply.get().path("type").asText())) {
          acks.put(clientMsgId, reply.get());
          acked.incrementAndGet();
        } else if (reply.isPresent() && rateLimited(reply.get())) {
          waitAsAsked(reply.get()); // the connection is fine
        } else if (reply.isPresent()) {
          // `unavailable` while entities recover or move: retry, as the protocol promises.
          ws.close();
        }
      }
    }
    ws.close();
  }

  void sendPipelined(String user, List<String> conversations, int count, int window) {
    WsClient ws = null;
    Map<String, Integer> inFlight = new java.util.HashMap<>(); // req_id → message index
    long lastProgress = System.nanoTime();
    int nextUnsent = 0;
    while (acks.keySet().stream().filter(id -> id.startsWith(user + "-")).count() < count) {
      if (ws == null || ws.isClosed()) {
        ws = clients.connect(user, "sender");
        inFlight.clear();
        nextUnsent = 0; // what was in flight on the old connection is sent again, same ids
      }
      while (inFlight.size() < window && nextUnsent < count) {
        int i = nextUnsent++;
        String clientMsgId = user + "-" + i;
        if (acks.containsKey(clientMsgId) || inFlight.containsValue(i)) {
          continue;
        }
        String reqId = clientMsgId + "-" + System.nanoTime();
        if (!trySend(ws, frame("msg.send").put("req_id", reqId)
            .put("conversation_id", conversations.get(i % conversations.size()))
            .put("client_msg_id", clientMsgId).put("content", "message " + clientMsgId))) {
          break;
        }
        inFlight.put(reqId, i);
      }
      if (nextUnsent >= count && inFlight.isEmpty()) {
        nextUnsent = 0; // a pass over what is still unacked (answered `unavailable`)
      }
      Optional<JsonNode> reply = ws.poll(Duration.ofMillis(200));
      Integer index = reply.map(f -> inFlight.remove(f.path("req_id").asText())).orElse(null);
      if (index != null) {
        lastProgress = System.nanoTime();
        if ("msg.ack".equals(reply.get().path("type").asText())) {
          if (acks.putIfAbsent(user + "-" + index, reply.get()) == null) {
            acked.incrementAndGet();
          }
        } else if (rateLimited(reply.get())) {
          waitAsAsked(reply.get()); // sent again on a later pass, once allowed
        }
      } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(15).toNanos()) {
        ws.close(); // no answer for long: the node is gone
        lastProgress = System.nanoTime();
      }
    }
    ws.close();
  }

  private static Optional<JsonNode> awaitReply(WsClient ws, String reqId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline && !ws.isClosed()) {
      Optional<JsonNode> frame = ws.poll(Duration.ofMillis(200));
      if (frame.isPresent() && "server.draining".equals(frame.get().path("type").asText())) {
        ws.close();
        return Optional.empty();
      }
      if (frame.isPresent() && reqId.equals(frame.get().path("req_id").asText())) {
        return frame;
      }
    }
    return Optional.empty();
  }

  private static boolean rateLimited(JsonNode reply) {
    return "rate_limited".equals(reply.path("code").asText());
  }

  /** A {@code rate_limited} answer's wait, as the server asks. */
  private static void waitAsAsked(JsonNode rateLimited) {
    pause(rateLimited.path("retry_after_ms").asLong(100));
  }
}
