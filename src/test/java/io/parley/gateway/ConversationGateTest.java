package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * What the gate remembers and how often it looks up: the look-ups are answered by hand here
 * (the journal's answer is {@code storage.JournalConversationsIT}'s), so their order and count show.
 */
class ConversationGateTest {
  /** Look-ups asked, each answered when the test says. */
  final List<String> asked = new ArrayList<>();
  final List<CompletableFuture<Boolean>> answers = new ArrayList<>();

  ConversationGate gate(int remembered) {
    return new ConversationGate(conversationId -> {
      asked.add(conversationId);
      CompletableFuture<Boolean> answer = new CompletableFuture<>();
      answers.add(answer);
      return answer;
    }, remembered);
  }

  private static boolean value(CompletionStage<Boolean> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void anExistingConversationIsLookedUpOnceAndRemembered() {
    ConversationGate gate = gate(10);
    CompletionStage<Boolean> first = gate.exists("g.a");
    CompletionStage<Boolean> second = gate.exists("g.a");
    assertSame(first, second, "one look-up for both");
    answers.get(0).complete(true);
    assertTrue(value(first));
    assertTrue(gate.knows("g.a"));
    assertTrue(value(gate.exists("g.a")));
    assertEquals(List.of("g.a"), asked);
  }

  @Test
  void anIdThatNeverStoredAnythingIsNotRememberedSoItsFirstStoreIsSeen() {
    ConversationGate gate = gate(10);
    CompletionStage<Boolean> lookUp = gate.exists("d:a:b");
    answers.get(0).complete(false);
    assertFalse(value(lookUp));
    assertFalse(gate.knows("d:a:b"));
    gate.exists("d:a:b");
    assertEquals(2, asked.size(), "looked up again");
    gate.remember("d:a:b"); // its first message was stored
    assertTrue(value(gate.exists("d:a:b")));
    assertEquals(2, asked.size());
  }

  @Test
  void aFailedLookUpIsUnavailableAndTriedAgainNextTime() {
    ConversationGate gate = gate(10);
    CompletionStage<Boolean> lookUp = gate.exists("g.a");
    answers.get(0).completeExceptionally(new RuntimeException("store down"));
    ApiError refused = ApiError.from(lookUp.handle((exists, failure) -> failure).toCompletableFuture().join());
    assertEquals(ErrorCode.UNAVAILABLE, refused.code);
    gate.exists("g.a");
    assertEquals(2, asked.size());
  }

  @Test
  void theLeastRecentlyUsedIsForgottenPastTheBound() {
    ConversationGate gate = gate(2);
    gate.remember("g.a");
    gate.remember("g.b");
    assertTrue(gate.knows("g.a")); // used: g.b is now the least recent
    gate.remember("g.c");
    assertTrue(gate.knows("g.a"));
    assertFalse(gate.knows("g.b"));
    assertTrue(gate.knows("g.c"));
  }
}
