package io.parley.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.conversation.ConversationInfo;
import io.parley.push.PushToken;
import io.parley.testing.EntityHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user's snapshot is one DynamoDB item (at most 400 KB). This builds the largest inbox the
 * limits allow, through the event handler as the entity would, and serializes the state as the
 * snapshot store does (Jackson, compressed as configured).
 */
class UserSnapshotSizeTest {
  /** The bound the defaults keep a snapshot under, pending items aside; see {@link UserState}. */
  static final int SNAPSHOT_BOUND_BYTES = 300_000;
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
    Serialization serialization = SerializationExtension.get(harness.testKit.system().classicSystem());
    return serialization.serialize(state.copy()).get().length;
  }

  @Test
  void theLargestInboxTheLimitsAllowFitsTheBound() {
    UserState state = new UserState();
    long ts = harness.clock.millis();
    int groups = settings.inboxMaxEntries();
    for (int g = 0; g < groups; g++) {
      List<String> members = new ArrayList<>(List.of("bob"));
      for (int i = 1; i < 256; i++) {
        members.add(id(64));
      }
      String groupId = "g." + id(24);
      ConversationInfo info = new ConversationInfo(groupId, "group " + g, members, 0);
      state.apply("bob", new UserActor.MembershipChanged(info, ts + g, settings.inboxMaxEntries(),
          settings.inboxMemberBytes()));
      // More unread messages than an entry keeps seqs of, each from another member.
      long at = ts + g;
      List<PendingQueue.Item> items = LongStream.rangeClosed(1, Inbox.UNREAD_SEQS_KEPT + 10)
          .mapToObj(seq -> new PendingQueue.Item(groupId, seq, members.get(1 + (int) (seq % 255)), at))
          .toList();
      state.apply("bob", new UserActor.MessagesStored(null, items, id(Inbox.PREVIEW_CHARS),
          settings.inboxMaxEntries(), settings.pendingMaxItems(), settings.inactiveBefore(ts + g),
          settings.inboxMemberBytes(), settings.pendingIdBytes()));
    }
    for (int d = 0; d < settings.maxDevices(); d++) {
      state.apply(new UserActor.DeviceConnected(id(64), ts + groups, settings.pendingMaxItems(),
          settings.inactiveBefore(ts + groups), settings.maxDevices()));
    }
    for (int t = 0; t < UserState.MAX_PUSH_TOKENS; t++) {
      state.apply(new UserActor.PushTokenAdded(new PushToken("fcm", id(180))));
    }
    assertEquals(groups, state.inbox.page(Integer.MAX_VALUE, null).size());
    assertEquals(Inbox.UNREAD_SEQS_KEPT + 10, state.inbox.item(state.inbox.membersNotKept().get(0)).unreadCount());
    assertTrue(state.inbox.keptMemberBytes() <= settings.inboxMemberBytes());
    // The pending queue is bounded by count (pending-max-items), not by bytes: see UserState.
    UserState withoutPending = state.copy();
    withoutPending.pending = new PendingQueue();
    int bytes = serializedBytes(withoutPending);
    System.out.printf("user snapshot: %,d bytes without its %,d pending items (%,d with them); %,d member bytes kept%n",
        bytes, state.pending.size(), serializedBytes(state), state.inbox.keptMemberBytes());
    assertTrue(bytes < SNAPSHOT_BOUND_BYTES, bytes + " bytes");
  }
}
