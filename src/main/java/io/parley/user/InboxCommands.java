package io.parley.user;

import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.Conversations;
import io.parley.conversation.ConversationInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The {@link UserActor}'s inbox commands: a conversation the user is (or was) a member of
 * changed, and a device read a conversation up to a seq. Every device hears of the change. Pages
 * of the inbox, and the export, get the member lists the inbox does not keep from
 * {@link MemberLists}.
 */
final class InboxCommands {
  private final String userId;
  private final Conversations conversations;
  private final UserSettings settings;
  private final DeviceConnections connections;
  private final MemberLists memberLists;
  private final Clock clock;
  private final ActorRef<UserActor.Command> self;

  InboxCommands(String userId, Conversations conversations, UserSettings settings, DeviceConnections connections,
      MemberLists memberLists, Clock clock, ActorRef<UserActor.Command> self) {
    this.self = self;
    this.userId = userId;
    this.conversations = conversations;
    this.settings = settings;
    this.connections = connections;
    this.memberLists = memberLists;
    this.clock = clock;
  }

  /** Answered once the members the inbox does not keep are read (or that failed). */
  void page(UserState state, UserActor.GetInbox cmd) {
    memberLists.page(state.inbox.page(cmd.limit(), cmd.cursor()), cmd.replyTo());
  }

  /**
   * What {@code GET /v1/me/export} shows, with every member list; if one cannot be read, nothing
   * is answered and the export's ask times out: the client retries.
   */
  void export(UserState state, UserActor.GetExport cmd) {
    UserActor.ExportData data = state.exportData();
    memberLists.complete(data.inbox()).thenAccept(items -> cmd.replyTo().tell(
        new UserActor.ExportData(data.devices(), data.pushTokens(), items, data.conversations(), data.lastSeen())));
  }

  /**
   * Stored, then confirmed to the conversation, which tells it again until it is. A conversation
   * with no message yet (a group just made) takes its inbox place from now, not from the epoch,
   * where it would be last on every page and the first entry a full inbox drops.
   */
  void conversationChanged(UserActor.ConversationChanged cmd, StagedWrite write) {
    ConversationInfo info = cmd.info();
    long placedAt = cmd.lastMessageTs() > 0 ? cmd.lastMessageTs() : clock.millis();
    write.add(new UserActor.MembershipChanged(info, placedAt, settings.inboxMaxEntries(),
        settings.inboxMemberBytes()));
    write.then(
        newState -> {
          connections.broadcast(
              new DeviceEvent.ConversationUpdated(info.conversationId(), info.titleFor(userId), info.members(),
                  info.roles(), info.memberCount()),
              null);
          newState.inbox.get(info.conversationId())
              .ifPresent(entry -> connections.inboxUpdate(newState.inbox.item(info.conversationId()), info, null));
          conversations.conversation(info.conversationId())
              .tell(new ConversationActor.MembershipHeld(userId, info.fingerprint()));
        });
  }

  /**
   * Another member's message deleted for everyone no longer counts as unread, and the inbox drops
   * its preview if it shows that message (the stream tells the devices of the deletion itself).
   */
  void messageDeleted(UserState state, UserActor.MessageDeleted cmd, StagedWrite write) {
    state.inbox.get(cmd.conversationId()).ifPresent(entry -> {
      boolean shown = entry.lastSeq() == cmd.seq();
      // The user's own messages never counted; a notice of an old node may not name its sender.
      boolean counted = cmd.deletedBy() != null && !cmd.deletedBy().equals(userId)
          && cmd.seq() > entry.readSeq() && entry.unreadCount() > 0;
      if (shown || counted) {
        gone(cmd.conversationId(), shown ? cmd.seq() : NO_PREVIEW, counted ? SeqRanges.of(cmd.seq()) : null, write);
      }
    });
  }

  /**
   * The erased sender's messages (tombstones now) no longer count as unread, and the inbox drops
   * its preview if it shows one of them.
   */
  void senderErased(UserState state, UserActor.SenderErased cmd, StagedWrite write) {
    state.inbox.get(cmd.conversationId()).ifPresent(entry -> {
      boolean shown = cmd.senderId().equals(entry.lastSenderId()) && entry.lastSeq() <= cmd.throughSeq();
      // Only what is after the read mark may count; the rest is not stored.
      List<Long> tombstones = new ArrayList<>();
      List<Long> told = cmd.tombstones() == null || cmd.senderId().equals(userId) ? List.of() : cmd.tombstones();
      for (int i = 0; i + 1 < told.size() && entry.unreadCount() > 0; i += 2) {
        if (told.get(i + 1) > entry.readSeq()) {
          tombstones.add(told.get(i));
          tombstones.add(told.get(i + 1));
        }
      }
      if (shown || !tombstones.isEmpty()) {
        gone(cmd.conversationId(), shown ? entry.lastSeq() : NO_PREVIEW, tombstones.isEmpty() ? null : tombstones, write);
      }
    });
  }

  /** A seq no entry shows as its last message: the preview stays. */
  private static final long NO_PREVIEW = -1;

  private void gone(String conversationId, long seq, List<Long> tombstones, StagedWrite write) {
    write.add(new UserActor.PreviewDeleted(conversationId, seq, tombstones));
    write.then(newState -> newState.inbox.get(conversationId).ifPresent(
        entry -> connections.inboxUpdate(newState.inbox.item(conversationId), null, null)));
  }

  /**
   * A read is cut to what the conversation holds, so it never reads messages yet to come. A device
   * may read in history what the conversation has not handed to the inbox yet: then the
   * conversation is asked how far it goes, and the read, decided again with its answer, holds for
   * those messages when they come. A conversation that cannot say (it refuses, or does not answer
   * in time) leaves the read at what the inbox holds.
   */
  void markRead(UserState state, UserActor.MarkRead cmd, StagedWrite write) {
    var entry = state.inbox.get(cmd.conversationId());
    if (entry.isEmpty()) {
      cmd.replyTo().tell(Outcome.rejected(Reason.NOT_MEMBER,
          userId + " is not a member of " + cmd.conversationId()));
      return;
    }
    long held = Math.max(entry.get().lastSeq(), write.storedThrough(cmd.conversationId()));
    long readSeq = write.readSeq(cmd.conversationId(), entry.get().readSeq());
    if (cmd.lastSeq() == null && cmd.seq() > held && cmd.seq() > readSeq) {
      askLastSeq(cmd, held);
      return;
    }
    long seq = Math.min(cmd.seq(), cmd.lastSeq() == null ? held : Math.max(held, cmd.lastSeq()));
    if (seq <= readSeq) {
      write.answer(cmd.replyTo(), "the read mark of " + cmd.conversationId());
      return;
    }
    write.read(new UserActor.ConversationRead(cmd.conversationId(), seq));
    int unreadBefore = entry.get().unreadCount();
    write.then(
        newState -> {
          // The mark itself is not shown: a read past only the user's own messages changes nothing seen.
          InboxItem item = newState.inbox.item(cmd.conversationId());
          if (item.unreadCount() != unreadBefore) {
            connections.inboxUpdate(item, null, cmd.deviceId());
          }
          conversations.conversation(cmd.conversationId())
              .tell(new ConversationActor.Read(userId, seq));
        });
    write.answer(cmd.replyTo(), "the read mark of " + cmd.conversationId());
  }

  /** Well within the gateway's ask, which waits for the read to be stored after the answer. */
  static final Duration LAST_SEQ_TIMEOUT = Duration.ofSeconds(2);

  private void askLastSeq(UserActor.MarkRead cmd, long held) {
    memberLists.info(cmd.conversationId(), userId, LAST_SEQ_TIMEOUT)
        .whenComplete((info, failure) -> {
          long lastSeq = failure == null ? info.lastSeq() : held;
          self.tell(new UserActor.MarkRead(cmd.deviceId(), cmd.conversationId(), cmd.seq(), cmd.replyTo(), lastSeq));
        });
  }
}
