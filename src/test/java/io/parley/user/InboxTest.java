package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class InboxTest {
  static final ConversationInfo DIRECT = new ConversationInfo("d:alice:bob", null, List.of("alice", "bob"), 0);
  static final ConversationInfo GROUP = new ConversationInfo("g.1", "Climbing", List.of("alice", "bob", "carol"), 0);

  private static InboxPreview plain(String text) {
    return new InboxPreview(text, null);
  }

  private static PendingQueue.Item item(String conversation, long seq, String sender, long ts) {
    return new PendingQueue.Item(conversation, seq, sender, ts);
  }

  @Test
  void previewsAreAtMostAHundredCharactersAndFortyEightBytesAndSayWhenCut() {
    ChatMessage longText = new ChatMessage("c", 1, "id", "a", "cm", "é".repeat(150), "text", 0);
    String preview = InboxPreview.of(longText).text();
    assertEquals(23, preview.codePointCount(0, preview.length()), "22 two-byte characters and the ellipsis");
    assertTrue(preview.endsWith("…"));
    String emoji = InboxPreview.ofPlain("😀".repeat(20), "text");
    assertEquals("😀".repeat(11) + "…", emoji, "a character is never cut in two");
    assertEquals(48, InboxPreview.ofPlain("x".repeat(48), "text").length(), "48 ASCII characters are their own preview");
    assertEquals("x".repeat(45) + "…", InboxPreview.ofPlain("x".repeat(49), "text"));
    assertEquals("short", InboxPreview.of(new ChatMessage("c", 1, "id", "a", "cm", "short", "text", 0)).text());
    assertEquals("[media]", InboxPreview.of(new ChatMessage("c", 1, "id", "a", "cm", "https://x", "media", 0)).text());
    assertEquals("[deleted]", InboxPreview.of(new ChatMessage("c", 1, "id", "a", "cm", "gone", "text", 0).tombstone()).text());
  }

  @Test
  void beyondTheInboxsBudgetTheLeastRecentlyActiveEntriesKeepCountsNotSeqs() {
    Inbox inbox = new Inbox();
    int conversations = Inbox.UNREAD_SEQS_KEPT_IN_ALL / Inbox.UNREAD_SEQS_KEPT + 1;
    for (int c = 0; c < conversations; c++) {
      String id = "d:alice:bob" + c;
      var info = new ConversationInfo(id, null, List.of("alice", "bob"), 0);
      for (int seq = 1; seq <= Inbox.UNREAD_SEQS_KEPT; seq++) {
        inbox.addMessages("bob", info, id, List.of(item(id, seq, "alice", 1_000L * c + seq)), plain("m"), 0);
      }
    }
    assertTrue(inbox.keptUnread() <= Inbox.UNREAD_SEQS_KEPT_IN_ALL, inbox.keptUnread() + " seqs kept");
    for (int c = 0; c < conversations; c++) {
      assertEquals(Inbox.UNREAD_SEQS_KEPT, inbox.item("d:alice:bob" + c).unreadCount(), "every count stays exact");
    }
    assertEquals(0, inbox.entries().get("d:alice:bob0").unreadSeqs().size(), "the least recently active gave its seqs up");
    assertEquals(Inbox.UNREAD_SEQS_KEPT, inbox.entries().get("d:alice:bob" + (conversations - 1)).unreadSeqs().size());
    inbox.markRead("d:alice:bob0", 10);
    assertEquals(Inbox.UNREAD_SEQS_KEPT, inbox.item("d:alice:bob0").unreadCount(),
        "a read short of the newest cannot tell how many are left: the count stays, never too low");
    inbox.markRead("d:alice:bob0", Inbox.UNREAD_SEQS_KEPT);
    assertEquals(0, inbox.item("d:alice:bob0").unreadCount(), "reading to the end reads them all");
  }

  @Test
  void aMessageDeletedForEveryoneNoLongerCountsAsUnreadWhetherItsSeqIsKeptOrNot() {
    Inbox inbox = new Inbox();
    String id = "d:alice:bob";
    int messages = Inbox.UNREAD_SEQS_KEPT + 2; // seqs 1 and 2 are counted, not kept
    for (int seq = 1; seq <= messages; seq++) {
      inbox.addMessages("bob", DIRECT, id, List.of(item(id, seq, seq == 3 ? "bob" : "alice", seq)), plain("m"), 0);
    }
    assertEquals(messages - 1, inbox.item(id).unreadCount(), "bob's own seq 3 never counts");
    inbox.messagesGone(id, -1, SeqRanges.of(2));
    assertEquals(messages - 2, inbox.item(id).unreadCount(), "a seq not kept");
    inbox.messagesGone(id, -1, SeqRanges.of(10));
    assertEquals(messages - 3, inbox.item(id).unreadCount(), "a kept seq");
    inbox.messagesGone(id, -1, SeqRanges.of(10));
    assertEquals(messages - 3, inbox.item(id).unreadCount(), "told again: gone already");
    assertEquals("m", inbox.item(id).lastMessagePreview(), "the last message is not one of them");
    inbox.markRead(id, 20);
    inbox.messagesGone(id, -1, SeqRanges.of(15));
    assertEquals(messages - 20, inbox.item(id).unreadCount(), "one read already counts no more");
    inbox.messagesGone(id, -1, List.of(21L, 30L, 40L, 40L));
    assertEquals(messages - 31, inbox.item(id).unreadCount(), "ranges of them");
  }

  @Test
  void aDeletionToldAgainTakesNothingMoreOffTheUnreadNotKept() {
    Inbox inbox = new Inbox();
    String id = "d:alice:bob";
    int messages = Inbox.UNREAD_SEQS_KEPT + 5; // seqs 1..5 are counted, not kept
    for (int seq = 1; seq <= messages; seq++) {
      inbox.addMessages("bob", DIRECT, id, List.of(item(id, seq, "alice", seq)), plain("m"), 0);
    }
    inbox.messagesGone(id, -1, SeqRanges.of(2));
    assertEquals(messages - 1, inbox.item(id).unreadCount());
    inbox.messagesGone(id, -1, SeqRanges.of(2));
    assertEquals(messages - 1, inbox.item(id).unreadCount(), "told again after the devices acked: gone already");
    inbox.messagesGone(id, -1, List.of(1L, 3L));
    assertEquals(messages - 3, inbox.item(id).unreadCount(), "a run holding it takes off only the others");
    String stored = inbox.entries().get(id).toString();
    inbox.markRead(id, 3);
    assertTrue(inbox.entries().get(id).gone() == null, "forgotten once read: " + stored);
    assertEquals(messages - 3, inbox.item(id).unreadCount(), "a read short of the oldest kept leaves the count");
    for (long seq = 10; seq < 400; seq += 2) {
      inbox.messagesGone(id, -1, SeqRanges.of(seq));
    }
    assertEquals(2 * Inbox.GONE_RANGES_KEPT, inbox.entries().get(id).gone().size(), "bounded, the oldest dropped");
    assertEquals(messages - 3 - 195, inbox.item(id).unreadCount());
  }

  @Test
  void unreadCountsOthersMessagesAfterTheReadPosition() {
    Inbox inbox = new Inbox();
    inbox.addMessages("bob", DIRECT, "d:alice:bob", List.of(item("d:alice:bob", 1, "alice", 10),
        item("d:alice:bob", 2, "bob", 11), item("d:alice:bob", 3, "alice", 12)), plain("three"), 0);
    InboxItem item = inbox.item("d:alice:bob");
    assertEquals(2, item.unreadCount());
    assertEquals("alice", item.title());
    inbox.markRead("d:alice:bob", 2);
    assertEquals(1, inbox.item("d:alice:bob").unreadCount());
    inbox.markRead("d:alice:bob", 1);
    assertEquals(1, inbox.item("d:alice:bob").unreadCount(), "reading backwards changes nothing");
    inbox.markRead("d:alice:bob", 3);
    assertEquals(0, inbox.totalUnread());
  }

  @Test
  void unreadBeyondWhatIsKeptIsStillCountedExactly() {
    Inbox inbox = new Inbox();
    int many = Inbox.UNREAD_SEQS_KEPT + 20;
    for (int seq = 1; seq <= many; seq++) {
      inbox.addMessages("bob", DIRECT, "d:alice:bob", List.of(item("d:alice:bob", seq, "alice", seq)), plain("m"), 0);
    }
    assertEquals(many, inbox.item("d:alice:bob").unreadCount());
    inbox.markRead("d:alice:bob", many - 5);
    assertEquals(5, inbox.item("d:alice:bob").unreadCount());
  }

  @Test
  void pagesAreNewestFirstAndLeavingRemovesTheConversation() {
    Inbox inbox = new Inbox();
    inbox.addMessages("bob", DIRECT, "d:alice:bob", List.of(item("d:alice:bob", 1, "alice", 100)), plain("old"), 0);
    inbox.update("bob", GROUP, 200, 0);
    assertEquals(List.of("g.1", "d:alice:bob"), inbox.page(20, InboxCursor.NEWEST).stream().map(InboxItem::conversationId).toList());
    assertEquals(List.of("d:alice:bob"), inbox.page(20, new InboxCursor(200L, null)).stream().map(InboxItem::conversationId).toList());
    assertEquals("Climbing", inbox.item("g.1").title());
    inbox.update("bob", new ConversationInfo("g.1", "Climbing", List.of("alice", "carol"), 0), 300, 0);
    assertEquals(1, inbox.page(20, InboxCursor.NEWEST).size());
  }
  @Test
  void pagingFromEachPagesLastItemVisitsEveryEntryOnceThoughTheyTieOnTheirTime() {
    Inbox inbox = new Inbox();
    inbox.update("bob", GROUP, 300, 0);
    for (String id : List.of("g.c", "g.a", "g.d", "g.b")) {
      inbox.update("bob", new ConversationInfo(id, "Tied", List.of("alice", "bob"), 0), 200, 0);
    }
    inbox.addMessages("bob", DIRECT, "d:alice:bob", List.of(item("d:alice:bob", 1, "alice", 100)), plain("old"), 0);

    List<List<String>> pages = new java.util.ArrayList<>();
    InboxCursor cursor = InboxCursor.NEWEST;
    for (List<InboxItem> page = inbox.page(2, cursor); !page.isEmpty(); page = inbox.page(2, cursor)) {
      pages.add(page.stream().map(InboxItem::conversationId).toList());
      InboxItem last = page.get(page.size() - 1);
      cursor = new InboxCursor(last.lastMessageTs(), last.conversationId());
    }
    assertEquals(List.of(List.of("g.1", "g.a"), List.of("g.b", "g.c"), List.of("g.d", "d:alice:bob")), pages,
        "newest first, ties by conversation id, each on one page");
    assertEquals(List.of("d:alice:bob"), inbox.page(20, new InboxCursor(200L, null)).stream()
        .map(InboxItem::conversationId).toList(), "before_ts alone is strictly older, as the contract says");
  }

  @Test
  void aGroupsTitleIsKeptWithItsMembersWithinTheBudgetAndADirectOnesAlways() {
    String sealedTitle = "\u0001alice\u0001k1\u00012." + "A".repeat(80);
    ConversationInfo first = new ConversationInfo("g.1", sealedTitle, List.of("alice", "bob", "carol"), 0);
    ConversationInfo second = new ConversationInfo("g.2", sealedTitle, List.of("alice", "bob", "dave"), 0);
    Inbox inbox = new Inbox();
    int budget = (int) (Inbox.bytes(first.members()) + sealedTitle.length() + 18);
    inbox.update("bob", first, 100, budget);
    inbox.update("bob", second, 200, budget);
    inbox.addMessages("bob", DIRECT, "d:alice:bob", List.of(item("d:alice:bob", 1, "alice", 300)), plain("hi"), budget);

    assertEquals(sealedTitle, inbox.item("g.1").title(), "kept with its members");
    assertEquals(first.members(), inbox.item("g.1").members());
    assertNull(inbox.item("g.2").title(), "beyond the budget, read with the members from the group");
    assertNull(inbox.item("g.2").members());
    assertEquals("alice", inbox.item("d:alice:bob").title(), "a direct conversation's title is the other member's id");
    assertTrue(inbox.keptMemberBytes() <= budget, inbox.keptMemberBytes() + " bytes kept");

    InboxItem completed = MemberLists.withMembers(inbox.item("g.2"), second);
    assertEquals(sealedTitle, completed.title());
    assertEquals(second.members(), completed.members());
  }
}
