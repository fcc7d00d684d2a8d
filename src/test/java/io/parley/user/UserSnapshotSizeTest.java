package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationInfo;
import io.parley.privacy.ContentKey;
import io.parley.privacy.SealedText;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's snapshot is one DynamoDB item (at most 400 KB). This builds the largest inbox the
 * limits allow and the largest pending queue, one way for each of the queue's bounds (count and
 * ids), through the event handler as the entity would, and serializes the whole state as the
 * snapshot store does (Jackson, compressed as configured).
 */
class UserSnapshotSizeTest {
  /**
   * The bound the defaults keep a snapshot under, leaving room under DynamoDB's 400 KB for the
   * item's other attributes; of it, the state without its pending items takes at most
   * {@link #INBOX_BOUND_BYTES}.
   */
  static final int SNAPSHOT_BOUND_BYTES = 350_000;
  static final int INBOX_BOUND_BYTES = 300_000;
  static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:";

  EntityHarness harness;
  UserSettings settings;
  final Random random = new Random(12);

  @BeforeEach
  void setUp() {
    harness = new EntityHarness("");
    settings = UserSettings.from(harness.config);
  }

  @AfterEach
  void tearDown() {
    harness.shutdown();
  }

  /** Random ids of the longest kind allowed: they compress least. */
  private String id(int length) {
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < length; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  private int serializedBytes(UserState state) {
    return harness.serialization().serialize(state.copy()).get().length;
  }

  /**
   * The largest inbox the limits allow, with its pending items: {@code sendersPerGroup} is how
   * many members of each group the messages come from, each from one of them at random. Messages
   * are spread by random gaps of up to a minute: such deltas compress less than a constant.
   */
  private UserState largestState(int sendersPerGroup) {
    UserState state = new UserState();
    long now = harness.clock.millis();
    int groups = settings.inboxMaxEntries();
    for (int g = 0; g < groups; g++) {
      List<String> members = new ArrayList<>(List.of("bob"));
      for (int i = 1; i < 256; i++) {
        members.add(id(64));
      }
      String groupId = "g." + id(24);
      ConversationInfo info = new ConversationInfo(groupId, sealedTitle(members.get(1), groupId), members, 0);
      state.apply("bob", new UserActor.MembershipChanged(info, now, settings.inboxMaxEntries(),
          settings.inboxMemberBytes()));
      // More unread messages than an entry keeps seqs of.
      List<PendingQueue.Item> items = new ArrayList<>();
      // Each group at seqs of its own: the same seqs in every entry would compress away.
      long base = random.nextInt(10_000_000);
      for (long seq = base + 1; seq <= base + Inbox.UNREAD_SEQS_KEPT + 10; seq++) {
        now += random.nextInt(60_000);
        items.add(new PendingQueue.Item(groupId, seq, members.get(1 + random.nextInt(sendersPerGroup)), now));
      }
      // Previews are sealed with the sender's key: random bytes, which do not compress.
      ContentKey senderKey = ContentKey.generate(members.get(1));
      state.apply("bob", new UserActor.MessagesStored(null, items, senderKey.seal(id(InboxPreview.MAX_BYTES), ContentKey.previewPlace(groupId)),
          settings.inboxMaxEntries(), settings.pendingMaxItems(), settings.inactiveBefore(now),
          settings.inboxMemberBytes(), settings.pendingIdBytes(), senderKey.keyId()));
    }
    for (int d = 0; d < settings.maxDevices(); d++) {
      state.apply(new UserActor.DeviceConnected(id(64), now, settings.pendingMaxItems(),
          settings.inactiveBefore(now), settings.maxDevices()));
    }
    for (int i = 0; i < GroupConsent.MAX_INVITES; i++) {
      String groupId = "g." + id(24);
      ContentKey setterKey = ContentKey.generate(id(64));
      String start = GroupConsent.startOfTitle(LONGEST_TITLE);
      GroupConsent.apply(state, new GroupConsent.InviteReceived(new GroupConsent.Invite(groupId,
          SealedText.seal(setterKey, start, ContentKey.invitePlace(groupId)), id(64), now), GroupConsent.MAX_INVITES));
    }
    for (int t = 0; t < UserState.MAX_PUSH_TOKENS; t++) {
      state.apply(new UserActor.PushTokenAdded(new PushToken("fcm", id(180))));
    }
    assertEquals(groups, state.inbox.page(Integer.MAX_VALUE, InboxCursor.NEWEST).size());
    assertEquals(Inbox.UNREAD_SEQS_KEPT + 10, state.inbox.item(state.inbox.membersNotKept().get(0)).unreadCount());
    assertTrue(state.inbox.keptMemberBytes() <= settings.inboxMemberBytes());
    return state;
  }

  /** The longest title a group may have, of characters that take 3 bytes each: sealed, the longest kept. */
  static final String LONGEST_TITLE = "\u20ac".repeat(200);

  /** A group's title as the group keeps it: sealed with its setter's key (random bytes that do not compress). */
  private String sealedTitle(String setterId, String groupId) {
    return SealedText.seal(ContentKey.generate(setterId), LONGEST_TITLE, ContentKey.titlePlace(groupId));
  }

  private void assertWithinTheBounds(UserState state) {
    UserState withoutPending = state.copy();
    withoutPending.pending = new PendingQueue();
    int inboxBytes = serializedBytes(withoutPending);
    int bytes = serializedBytes(state);
    System.out.printf("user snapshot: %,d bytes, %,d without its %,d pending items (%,d id bytes); %,d member bytes kept%n",
        bytes, inboxBytes, state.pending.size(), state.pending.idBytes(), state.inbox.keptMemberBytes());
    assertTrue(inboxBytes < INBOX_BOUND_BYTES, inboxBytes + " bytes without the pending items");
    assertTrue(bytes < SNAPSHOT_BOUND_BYTES, bytes + " bytes");
  }

  @Test
  void everyMessageFromAnotherMemberFitsTheBound() {
    // The last 10,000 items come from 20 groups' 255 members: the ids' bound keeps fewer items.
    UserState state = largestState(255);
    assertWithinTheBounds(state);
    assertTrue(state.pending.size() < settings.pendingMaxItems());
    assertTrue(state.pending.idBytes() <= settings.pendingIdBytes());
  }

  @Test
  void asManyItemsAsTheCountAllowsFitTheBound() {
    // Senders few enough that the last 10,000 items' ids (20 groups: 20 group ids of 29 bytes,
    // 20 x 24 member ids of 67) stay within 32 KiB: every item is kept, the ids fill the bound.
    UserState state = largestState(24);
    assertWithinTheBounds(state);
    assertEquals(settings.pendingMaxItems(), state.pending.size());
    assertTrue(state.pending.idBytes() > settings.pendingIdBytes() * 9 / 10, state.pending.idBytes() + " id bytes");
  }
}
