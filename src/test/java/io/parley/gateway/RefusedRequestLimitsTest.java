package io.parley.gateway;

import static io.parley.gateway.MalloryChat.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.api.ErrorCode;
import io.parley.user.AllowanceKind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code msg.delete}, {@code conversation.leave} and a large group's {@code msg.read} count
 * against the user's read limit for every conversation, known to the node or not: a former member
 * (who knows a group's id) sending them woke the group's entity, as often as they could send them.
 */
class RefusedRequestLimitsTest {
  static final String GROUP = "g:0123456789abcdef01234567";

  final ConversationGate gate = new ConversationGate(id -> CompletableFuture.completedFuture(true), 100);
  MalloryChat mallory;

  @BeforeEach
  void start() {
    mallory = new MalloryChat(gate, kind -> kind == AllowanceKind.READS); // her read bucket is empty
  }

  @AfterEach
  void stop() {
    mallory.harness.shutdown();
  }

  @Test
  void deletionsAndLeavesOfAConversationTheNodeKnowsCountAsReads() throws Exception {
    ChatService chat = mallory.chat;
    gate.exists(GROUP).toCompletableFuture().get(5, TimeUnit.SECONDS); // the node now knows it exists
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.leave("mallory", GROUP)), "conversation.leave");
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.delete("mallory", GROUP, 1)), "msg.delete");
    // Not in her inbox: asked of the group as a large group's read mark would be.
    assertEquals(ErrorCode.RATE_LIMITED, refusal(chat.markRead("mallory", "phone", GROUP, 1)), "msg.read");
    mallory.conversation.expectNoMessage(Duration.ofMillis(100));
  }
}
