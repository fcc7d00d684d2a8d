package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.ChatMessage;
import io.parley.privacy.ContentKey;
import io.parley.privacy.ContentKeys;
import io.parley.testing.MemoryKeyTable;
import org.junit.jupiter.api.Test;

class ContentSealingTest {
  private final MemoryKeyTable table = new MemoryKeyTable();
  private final ContentKeys keys = new ContentKeys(table, 100);
  private final ContentSealing sealing = new ContentSealing(keys);

  @Test
  void contentOpenedForOneDeviceOpensForTheNextAndNotOnceItsKeyIsErased() {
    ChatMessage sent = sealed("alice", "see you at 8");

    assertEquals("see you at 8", open(sent).content());
    assertEquals("see you at 8", open(sent).content(), "opened again, for another connection");

    keys.erase("alice").toCompletableFuture().join();
    ChatMessage afterErasure = open(sent);
    assertEquals(ChatMessage.DELETED, afterErasure.contentType(), "what was opened before is not kept past the key");
    assertEquals("", afterErasure.content());
  }

  @Test
  void contentOpenedOnceIsNotOpenedForAnotherSenderWhoClaimsIt() {
    ChatMessage sent = sealed("alice", "only alice wrote this");
    assertEquals("only alice wrote this", open(sent).content());

    ChatMessage claimed = new ChatMessage(sent.conversationId(), 2, "m-2", "mallory", "c-2", sent.content(),
        "text", 0, keys.forSending("mallory").toCompletableFuture().join().keyId(), null);

    assertEquals(ChatMessage.DELETED, open(claimed).contentType(), "sealed under alice's key, not mallory's");
  }

  @Test
  void contentSealedOnThisNodeIsShownWithoutOpeningItAgain() {
    ChatMessage sent = sealed("alice", "sealed here, shown here");
    // Alice's key as read back now has another secret: opening the content would fail, so what
    // the device is shown can only be what this node sealed.
    String keyId = sent.keyId();
    table.delete("alice").toCompletableFuture().join();
    table.storeIfAbsent(ContentKey.of("alice", keyId, new byte[32])).toCompletableFuture().join();
    keys.forget("alice");

    assertEquals("sealed here, shown here", open(sent).content());
  }

  private ChatMessage sealed(String sender, String text) {
    ContentSealing.Sealed sealed = sealing.seal(sender, text, "text").toCompletableFuture().join();
    return new ChatMessage("d.alice.bob", 1, "m-1", sender, "c-1", sealed.content(), "text", 0, sealed.keyId(),
        sealed.preview());
  }

  private ChatMessage open(ChatMessage message) {
    return sealing.open(message).toCompletableFuture().join();
  }
}
