package io.parley.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  @Test
  void anIdIsTheSameOnEveryCallEveryThreadAndEveryBuild() {
    // Clients keep message ids, and a node derives them again from what it stores: these are the
    // ids earlier builds gave.
    assertEquals("01HF7YAT00PGZDXERNRNTXQ9ZH", MessageIds.of("d:alice:bob", 7, 1_700_000_000_000L));
    assertEquals("0000000000SNZS9KX9MRRGPYJB", MessageIds.of("g.1", 1, 0L));
    assertEquals("01HF7YAT00PGZDXERNRNTXQ9ZH", MessageIds.of("d:alice:bob", 7, 1_700_000_000_000L), "asked again");
    assertEquals("01HF7YAT00PGZDXERNRNTXQ9ZH",
        CompletableFuture.supplyAsync(() -> MessageIds.of("d:alice:bob", 7, 1_700_000_000_000L)).join(),
        "on another thread");
  }

  @Test
  void anotherSeqOrConversationGetsAnotherId() {
    String id = MessageIds.of("d:alice:bob", 7, 1_700_000_000_000L);
    assertNotEquals(id, MessageIds.of("d:alice:bob", 8, 1_700_000_000_000L));
    assertNotEquals(id, MessageIds.of("d:alice:carol", 7, 1_700_000_000_000L));
  }
}
