package io.parley.gateway;

import static io.parley.gateway.MalloryChat.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.api.ErrorCode;
import io.parley.conversation.ConversationIds;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A direct conversation's id names its two members: anyone else is refused {@code not_member} by
 * the gateway, whether the conversation exists or not, and its entity is never asked (a client
 * naming stored direct conversations of others would otherwise wake each).
 */
class DirectConversationStrangersTest {
  static final String DIRECT = ConversationIds.direct("alice", "bob");

  /** The store's look-ups: every conversation exists. */
  final List<String> lookedUp = new CopyOnWriteArrayList<>();
  MalloryChat mallory;

  @BeforeEach
  void start() {
    mallory = new MalloryChat(new ConversationGate(id -> {
      lookedUp.add(id);
      return CompletableFuture.completedFuture(true);
    }, 100), kind -> false);
  }

  @AfterEach
  void stop() {
    mallory.harness.shutdown();
  }

  @Test
  void aUserTheIdDoesNotNameIsRefusedWithoutALookUpOrTheConversation() throws Exception {
    ChatService chat = mallory.chat;
    Map<String, Supplier<CompletionStage<?>>> requests = new LinkedHashMap<>();
    requests.put("typing", () -> chat.presenceAndTyping().typing("mallory", DIRECT));
    requests.put("history.get", () -> chat.history("mallory", DIRECT, null, null));
    requests.put("conversation.members", () -> chat.groups().members("mallory", DIRECT, null, null));
    requests.put("msg.send", () -> chat.send("mallory", new ChatService.SendRequest(DIRECT, "c1", "hi", null, null)));
    requests.put("msg.read", () -> chat.markRead("mallory", "phone", DIRECT, 1));
    requests.put("msg.delete", () -> chat.delete("mallory", DIRECT, 1));
    requests.put("conversation.leave", () -> chat.leave("mallory", DIRECT));
    for (var request : requests.entrySet()) {
      assertEquals(ErrorCode.NOT_MEMBER, refusal(request.getValue().get()), request.getKey());
      assertEquals(List.of(), lookedUp, request.getKey() + " looked the conversation up");
    }
    mallory.conversation.expectNoMessage(Duration.ofMillis(100));
  }
}
