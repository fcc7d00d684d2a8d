package io.parley.user;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.Conversations;
import io.parley.conversation.ReceiptStatus;
import io.parley.conversation.ConversationInfo;
import io.parley.metrics.ParleyMetrics;
import io.parley.push.OfflinePushes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The {@link UserActor}'s delivery stream commands: a conversation's hand-off, or a receipt for
 * the user's messages, becomes items of the stream (numbered by cursor) that go to every
 * connected device, devices page through what is pending, and their acks let items go.
 */
final class DeliveryStream {
  static final int MAX_PENDING_PAGE = 500;

  private final String userId;
  private final Conversations conversations;
  private final UserSettings settings;
  private final Clock clock;
  private final TimerScheduler<UserActor.Command> timers;
  private final DeviceConnections connections;
  private final OfflinePushes<UserActor.Command> pushes;
  /** Acks answered but not yet stored, the latest per device; see {@link #ack}. */
  private final Map<String, UserActor.DeviceAcked> acksAccepted = new HashMap<>();
  /** Syncs waiting for the next write, see {@link #syncWithNextWrite}. */
  private final List<ActorRef<Outcome<Done>>> syncsWaiting = new ArrayList<>();

  DeliveryStream(String userId, Conversations conversations, UserSettings settings, Clock clock,
      TimerScheduler<UserActor.Command> timers, DeviceConnections connections,
      OfflinePushes<UserActor.Command> pushes) {
    this.userId = userId;
    this.conversations = conversations;
    this.settings = settings;
    this.clock = clock;
    this.timers = timers;
    this.connections = connections;
    this.pushes = pushes;
  }

  /**
   * Messages of a conversation for this member; each hand-off is confirmed with how far it is
   * stored and the membership held. One without the member list whose membership the inbox does
   * not hold (the entry left the inbox, or a change was lost) is not stored: the confirmation
   * tells the conversation, which sends it again with the list.
   */
  void deliver(UserActor.Deliver cmd, StagedWrite write) {
    String conversationId = cmd.conversationId();
    long through = Math.max(write.storedThrough(conversationId), cmd.since());
    List<ChatMessage> fresh = cmd.messages().stream().filter(m -> m.seq() > through).toList();
    boolean membershipHeld = cmd.info() != null || write.inboxHolds(conversationId, cmd.fingerprint());
    // Only a contiguous continuation is stored; after a gap (a lost hand-off) the conversation
    // re-sends from what we report here.
    if (fresh.isEmpty() || fresh.get(0).seq() != through + 1 || !membershipHeld) {
      write.then(stored -> confirmHandoff(stored, conversationId, through));
      return;
    }
    List<PendingQueue.Item> items = fresh.stream()
        .map(m -> new PendingQueue.Item(conversationId, m.seq(), m.senderId(), m.serverTs()))
        .toList();
    ChatMessage last = fresh.get(fresh.size() - 1);
    // A group's member list is stored once per change, not with every message.
    ConversationInfo changed = cmd.info() == null || write.inboxHolds(conversationId, cmd.info().fingerprint())
        ? null : cmd.info();
    InboxPreview preview = InboxPreview.of(last);
    // A message deleted (or its sender erased) before its hand-off comes as a tombstone: not to read.
    List<Long> tombstones = SeqRanges.from(fresh.stream()
        .filter(m -> ChatMessage.DELETED.equals(m.contentType()) && !m.senderId().equals(userId))
        .map(ChatMessage::seq).toList());
    // With the member list, an inbox that dropped the conversation takes it back: what the user had
    // not read before counts, those stored already (re-sent here) too.
    int unreadBefore = changed == null ? 0 : cmd.unreadBefore() + (int) cmd.messages().stream()
        .filter(m -> m.seq() <= through && m.seq() > cmd.readThrough() && !m.senderId().equals(userId)
            && !ChatMessage.DELETED.equals(m.contentType()))
        .count();
    long firstCursor = write.addItems(new UserActor.MessagesStored(changed, items, preview.text(),
        settings.inboxMaxEntries(), settings.pendingMaxItems(), settings.inactiveBefore(last.serverTs()),
        settings.inboxMemberBytes(), settings.pendingIdBytes(), preview.keyId(), tombstones,
        changed == null ? 0 : cmd.readThrough(), unreadBefore));
    write.then(
        newState -> {
          ParleyMetrics.pendingItems(newState.pending.size());
          for (int i = 0; i < fresh.size(); i++) {
            connections.broadcast(new DeviceEvent.MsgNew(firstCursor + i, fresh.get(i)), null);
          }
          newState.inbox.get(conversationId).ifPresent(entry ->
              connections.inboxUpdate(newState.inbox.item(conversationId), cmd.info(), null));
          confirmHandoff(newState, conversationId, last.seq());
          if (!connections.online() && !newState.pushTokens.isEmpty()) {
            pushes.stored(conversationId, fresh);
          }
        });
  }

  /**
   * A receipt for the user's messages becomes an item of the stream, stored with this write, so
   * that a device offline now gets it when it reconnects. The conversation sends each watermark
   * once, so each is one item. It is not a message: no inbox preview, unread count or push. When
   * every device of the user is connected, each gets it now and none will need it again: it is
   * sent without being stored, which saves a write for most receipts. A user with no device yet
   * (who sent over HTTP) has it stored for their first one.
   */
  void receipt(UserState state, UserActor.DeliverReceipt cmd, StagedWrite write) {
    if (cmd.status() == ReceiptStatus.UNKNOWN) {
      return; // a later version's status, which no device of this version's protocol could be told
    }
    if (!state.devices.isEmpty() && connections.allConnected(state.devices.keySet())) {
      connections.broadcast(new DeviceEvent.Receipt(cmd.conversationId(), cmd.seq(), cmd.readerId(), cmd.status()), null);
      return;
    }
    long now = clock.millis();
    PendingQueue.Item item = new PendingQueue.Item(cmd.conversationId(), cmd.seq(), cmd.readerId(), now, cmd.status());
    long cursor = write.addNotice(new UserActor.NoticeStored(
        item, settings.pendingMaxItems(), settings.inactiveBefore(now), settings.pendingIdBytes()));
    write.then(newState -> {
      ParleyMetrics.pendingItems(newState.pending.size());
      connections.broadcast(new DeviceEvent.ReceiptItem(cursor,
          new DeviceEvent.Receipt(cmd.conversationId(), cmd.seq(), cmd.readerId(), cmd.status())), null);
    });
  }

  /**
   * A message deleted for everyone becomes an item of the stream, like a receipt, so that a
   * device offline now drops its copy when it reconnects; the conversation is told once it is
   * stored, and sends it again until then. One the stream already holds is only confirmed again
   * (false): it was sent again because a confirmation was lost.
   */
  boolean deletion(UserState state, UserActor.MessageDeleted cmd, StagedWrite write) {
    if (state.pending.holdsDeletion(cmd.conversationId(), cmd.seq())) {
      confirmDeletion(cmd);
      return false;
    }
    long now = clock.millis();
    PendingQueue.Item item = new PendingQueue.Item(cmd.conversationId(), cmd.seq(), cmd.deletedBy(), now, null, true);
    long cursor = write.addNotice(new UserActor.NoticeStored(
        item, settings.pendingMaxItems(), settings.inactiveBefore(now), settings.pendingIdBytes()));
    write.then(newState -> {
      confirmDeletion(cmd);
      connections.broadcast(
          new DeviceEvent.DeletionItem(cursor, new DeviceEvent.MsgDeleted(cmd.conversationId(), cmd.seq())), null);
    });
    return true;
  }

  private void confirmDeletion(UserActor.MessageDeleted cmd) {
    conversations.conversation(cmd.conversationId()).tell(new ConversationActor.DeletionNoticed(userId, cmd.seq()));
  }

  private void confirmHandoff(UserState stored, String conversationId, long storedThroughSeq) {
    long held = stored.inbox.get(conversationId).map(Inbox.Entry::fingerprint).orElse(0L);
    // 0 would read as "not said": an entry of unknown membership reports one that matches nothing.
    conversations.conversation(conversationId).tell(
        new ConversationActor.HandedOff(userId, storedThroughSeq, held == 0 ? NONE_HELD : held));
  }

  /** Reported when the inbox holds no known membership of the conversation. */
  static final long NONE_HELD = Long.MIN_VALUE;

  UserActor.PendingPage pending(UserState state, UserActor.GetPending cmd) {
    return state.pendingPage(cmd.afterCursor(), Math.min(cmd.limit(), MAX_PENDING_PAGE));
  }

  /**
   * An ack is answered once accepted, and stored with the entity's next write (or a
   * {@link UserActor.Sync}, or at the latest after {@code lazyAckDelay}): PROTOCOL.md makes acks
   * durable only once a later frame on the connection is answered, so a device that just reads
   * costs no write of its own. Acks are cumulative: the latest per device is what is stored. The
   * senders' receipts go out at once; the conversation records them, so they are still sent at
   * most once.
   */
  void ack(UserState state, UserActor.Ack cmd) {
    if (cmd.cursor() < 0 || cmd.cursor() > state.lastCursor()) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST,
          "cursor " + cmd.cursor() + " is beyond the stream (last cursor " + state.lastCursor() + ")"));
      return;
    }
    UserActor.DeviceAcked accepted = acksAccepted.get(cmd.deviceId());
    long acked = accepted != null ? accepted.cursor() : state.ackedCursor(cmd.deviceId());
    if (cmd.cursor() > acked) {
      state.seqsBetween(acked, cmd.cursor()).forEach((conversationId, seq) ->
          conversations.conversation(conversationId).tell(new ConversationActor.Delivered(userId, seq)));
      long now = clock.millis();
      acksAccepted.put(cmd.deviceId(), new UserActor.DeviceAcked(
          cmd.deviceId(), cmd.cursor(), now, settings.pendingMaxItems(), settings.inactiveBefore(now)));
      if (!timers.isTimerActive(UserWrites.FlushAcks.INSTANCE)) {
        timers.startSingleTimer(UserWrites.FlushAcks.INSTANCE, settings.lazyAckDelay());
      }
    }
    cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
  }

  boolean acksWaiting() {
    return !acksAccepted.isEmpty();
  }

  /**
   * A {@link UserActor.Sync} answered after the next write, which stores every accepted ack. The
   * copy it waits for normally comes within a write or two; if it does not come (the conversation
   * became a large group, or its hand-off failed), the acks are stored after {@code ackSyncWait}.
   */
  void syncWithNextWrite(ActorRef<Outcome<Done>> replyTo) {
    syncsWaiting.add(replyTo);
    if (syncsWaiting.size() == 1) {
      timers.startSingleTimer(UserWrites.FlushAcks.INSTANCE, settings.ackSyncWait());
    }
  }

  /** Every accepted ack goes into this write; the syncs waiting for it are answered once it is stored. */
  void storeAcks(StagedWrite write) {
    acksAccepted.values().forEach(write::add);
    acksAccepted.clear();
    timers.cancel(UserWrites.FlushAcks.INSTANCE);
    syncsWaiting.forEach(replyTo -> write.answer(replyTo, "the acks"));
    syncsWaiting.clear();
  }
}
