package io.parley;

import static io.parley.testing.WsClient.frame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.testing.ApiClient;
import io.parley.testing.ParleyProcess;
import io.parley.testing.RunFixture;
import io.parley.testing.WsClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * The client contract end to end, as the ITs extending this check it feature by feature: real
 * WebSocket and HTTP clients against a real node (its own JVM, embedded store and s3proxy), and
 * the helpers they share.
 *
 * <p>They share one node: a start costs seconds, and each test uses its own users, so no test
 * sees another's data. It starts with the first of these classes to run and stops when the test
 * run ends (the launcher session's store closes it). Run on dynoxide too: the tag, which the classes
 * inherit, selects them for pom.xml's {@code on-dynoxide} execution.
 */
@Tag("on-dynoxide")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedChatNode.Started.class)
abstract class SharedChatNode {
  ParleyProcess node;
  ApiClient api;

  /** Hands each test class the run's node, starting it for the first. */
  static final class Started implements TestInstancePostProcessor {
    @Override
    public void postProcessTestInstance(Object test, ExtensionContext context) {
      // A short heartbeat so the idle-close test needs seconds, not a minute; a small rate limit
      // burst so the rate-limit test stays short.
      ParleyProcess node = RunFixture.get(context, SharedChatNode.class,
          dir -> ParleyProcess.start(dir, Map.of("PARLEY_HEARTBEAT", "2s", "PARLEY_RATE_LIMIT_BURST", "20")));
      ((SharedChatNode) test).node = node;
      ((SharedChatNode) test).api = new ApiClient(node);
    }
  }

  static String user(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  WsClient connect(String userId, String deviceId) {
    return WsClient.connectAndAwaitHello(node, api.token(userId), deviceId);
  }

  static ObjectNode send(String conversationId, String clientMsgId, String content) {
    return frame("msg.send").put("conversation_id", conversationId)
        .put("client_msg_id", clientMsgId).put("content", content);
  }

  static java.util.function.Predicate<JsonNode> msgNew(String conversationId, long seq) {
    return f -> "msg.new".equals(f.path("type").asText())
        && conversationId.equals(f.path("conversation_id").asText())
        && f.path("seq").asLong() == seq;
  }

  static String directId(String a, String b) {
    return a.compareTo(b) <= 0 ? "d:" + a + ":" + b : "d:" + b + ":" + a;
  }

  static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
