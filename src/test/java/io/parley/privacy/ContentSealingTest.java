package io.parley.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.GroupRoles;
import io.parley.testing.MemoryKeyTable;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupConsent;
import io.parley.user.InboxItem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
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
  void aGroupTitleIsKeptSealedWithItsSettersKeyAndShownOpenedUntilTheSetterIsErased() {
    String title = sealing.sealTitle("alice", "g.1", "Climbing").toCompletableFuture().join();
    assertFalse(title.contains("Climbing"), title);
    assertEquals("alice", SealedText.parse(title).orElseThrow().userId());
    ConversationInfo info = new ConversationInfo("g.1", title, List.of("alice", "bob"), 3,
        new GroupRoles("alice", List.of(), false));
    InboxItem item = new InboxItem("g.1", title, List.of("alice", "bob"), 3, "", null, 0, 0, null);
    DeviceEvent.ConversationUpdated updated = new DeviceEvent.ConversationUpdated("g.1", title, info.members(), info.roles());

    assertEquals("Climbing", sealing.open(info).toCompletableFuture().join().title());
    assertEquals("Climbing", sealing.open(item).toCompletableFuture().join().title());
    assertEquals("Climbing", ((DeviceEvent.ConversationUpdated) sealing.open(updated).toCompletableFuture().join()).title());
    InboxItem elsewhere = new InboxItem("g.2", title, List.of("alice", "bob"), 3, "", null, 0, 0, null);
    assertEquals("", sealing.open(elsewhere).toCompletableFuture().join().title(), "another group's title copied here");

    keys.erase("alice").toCompletableFuture().join();
    assertEquals("", sealing.open(info).toCompletableFuture().join().title());
    assertEquals("", sealing.open(item).toCompletableFuture().join().title());
    assertEquals("", ((DeviceEvent.ConversationUpdated) sealing.open(updated).toCompletableFuture().join()).title());
  }

  @Test
  void anInviteKeepsTheStartOfTheTitleSealedWithTheSettersKey() {
    String longTitle = "x".repeat(150);
    String title = sealing.sealTitle("alice", "g.1", longTitle).toCompletableFuture().join();
    String inviteTitle = sealing.inviteTitle("g.1", title).toCompletableFuture().join();
    assertTrue(SealedText.isSealed(inviteTitle), inviteTitle);
    GroupConsent.Invite invite = new GroupConsent.Invite("g.1", inviteTitle, "bob", 1);

    String shown = sealing.open(invite).toCompletableFuture().join().title();
    assertEquals(GroupConsent.startOfTitle(longTitle), shown);
    assertTrue(shown.length() < longTitle.length() && shown.endsWith("\u2026"), shown);
    assertEquals(shown, ((DeviceEvent.Invited) sealing.open(new DeviceEvent.Invited(invite))
        .toCompletableFuture().join()).invite().title());
    assertEquals("Old", sealing.open(new GroupConsent.Invite("g.1", "Old", "bob", 1)).toCompletableFuture().join().title(),
        "an invite stored before titles were sealed reads as it was");

    keys.erase("alice").toCompletableFuture().join();
    assertEquals("", sealing.open(invite).toCompletableFuture().join().title());
    assertEquals("", sealing.inviteTitle("g.1", title).toCompletableFuture().join(), "an invite made after the erasure");
  }

  @Test
  void aTitleIsNotSealedForAnAccountBeingErased() {
    keys.markErasing("alice").toCompletableFuture().join();
    CompletionException refused = assertThrows(CompletionException.class,
        () -> sealing.sealTitle("alice", "g.1", "Climbing").toCompletableFuture().join());
    assertEquals(ErrorCode.ACCOUNT_ERASING, ((ApiError) refused.getCause()).code);
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
    table.storeIfAbsent(ContentKey.of("alice", keyId, new byte[32]), 0).toCompletableFuture().join();
    keys.forget("alice");

    assertEquals("sealed here, shown here", open(sent).content());
  }

  @Test
  void contentMovedToAnotherSeqOfTheSameSenderDoesNotOpen() {
    ChatMessage first = sealed("alice", "first, at seq 1");
    ChatMessage second = sealed("d:alice:bob", 2, "c-2", "alice", "second, at seq 2");
    assertEquals("first, at seq 1", open(first).content(), "opened where it was sent (and kept as opened)");

    ChatMessage moved = new ChatMessage(second.conversationId(), second.seq(), second.messageId(), "alice",
        second.clientMsgId(), first.content(), "text", 0, first.keyId(), null);

    assertEquals(ChatMessage.DELETED, open(moved).contentType(), "the first message's content at seq 2");
    assertEquals("second, at seq 2", open(second).content());
  }

  @Test
  void contentMovedToAnotherConversationDoesNotOpen() {
    ChatMessage sent = sealed("alice", "for bob only");
    ChatMessage moved = new ChatMessage("d:alice:carol", sent.seq(), sent.messageId(), "alice", sent.clientMsgId(),
        sent.content(), "text", 0, sent.keyId(), null);

    assertEquals(ChatMessage.DELETED, open(moved).contentType());
  }

  @Test
  void aPreviewOpensInItsConversationsInboxEntryOnly() {
    ChatMessage sent = sealed("alice", "short");
    assertTrue(sent.preview() != null && !sent.preview().contains("short"), "sealed apart: " + sent.preview());

    assertEquals("short", openPreview("d:alice:bob", sent).lastMessagePreview());
    assertEquals("[deleted]", openPreview("d:alice:carol", sent).lastMessagePreview(), "moved to another inbox entry");
  }

  /**
   * A preview whose key is erased reads as its message does, deleted: before the inbox is told of
   * the erasure (or if that notice is lost), inbox.get showed a blank preview.
   */
  @Test
  void aPreviewWhoseKeyIsErasedReadsDeletedAsItsMessageDoes() {
    ChatMessage sent = sealed("alice", "see you at 8");
    keys.erase("alice").toCompletableFuture().join();
    assertEquals(ChatMessage.DELETED, open(sent).contentType());
    assertEquals("[deleted]", openPreview("d:alice:bob", sent).lastMessagePreview());
  }

  @Test
  void contentSealedBeforeItWasBoundToItsPlaceStillOpens() {
    ContentKey key = keys.forSending("alice").toCompletableFuture().join();
    String old = sealedTheOldWay(key, "stored by an earlier version");
    ChatMessage stored = new ChatMessage("d:alice:bob", 7, "m-7", "alice", "c-7", old, "text", 0, key.keyId(), null);

    assertEquals("stored by an earlier version", open(stored).content());
    InboxItem item = new InboxItem("d:alice:bob", null, List.of(), 7, sealedTheOldWay(key, "stored by an"), "alice",
        0, 1, key.keyId());
    assertEquals("stored by an", sealing.open(item).toCompletableFuture().join().lastMessagePreview());
    assertFalse(key.open(old.substring(1), ContentKey.messagePlace("d:alice:bob", "c-7")).isPresent(), "altered");
  }

  @Test
  void anAccountBeingErasedSendsNothing() {
    sealed("alice", "before the erasure");
    keys.markErasing("alice").toCompletableFuture().join();

    CompletionException refused = assertThrows(CompletionException.class,
        () -> sealing.seal("alice", "d:alice:bob", "c-9", "during the erasure", "text").toCompletableFuture().join());
    assertEquals(ErrorCode.ACCOUNT_ERASING, ((ApiError) refused.getCause()).code);
  }

  /** As versions before content was bound to its place sealed it: AAD of user and key id only. */
  private static String sealedTheOldWay(ContentKey key, String text) {
    try {
      byte[] iv = new byte[12];
      new java.security.SecureRandom().nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(128, iv));
      cipher.updateAAD((key.userId() + "\n" + key.keyId()).getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(ByteBuffer.allocate(12 + sealed.length).put(iv).put(sealed).array());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private ChatMessage sealed(String sender, String text) {
    return sealed("d:alice:bob", 1, "c-1", sender, text);
  }

  private ChatMessage sealed(String conversationId, long seq, String clientMsgId, String sender, String text) {
    ContentSealing.Sealed sealed =
        sealing.seal(sender, conversationId, clientMsgId, text, "text").toCompletableFuture().join();
    return new ChatMessage(conversationId, seq, "m-" + seq, sender, clientMsgId, sealed.content(), "text", 0,
        sealed.keyId(), sealed.preview());
  }

  private InboxItem openPreview(String conversationId, ChatMessage message) {
    InboxItem item = new InboxItem(conversationId, null, List.of(), message.seq(), message.preview(),
        message.senderId(), 0, 1, message.keyId());
    return sealing.open(item).toCompletableFuture().join();
  }

  private ChatMessage open(ChatMessage message) {
    return sealing.open(message).toCompletableFuture().join();
  }
}
