package io.parley.user;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parley.cluster.JsonSerializable;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.GroupRoles;
import io.parley.conversation.ReceiptStatus;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a connected device is told. The gateway renders each one as a protocol frame; actors never
 * see JSON.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
public sealed interface DeviceEvent extends JsonSerializable {

  /** An item of the user's delivery stream: sent in cursor order, and again until acked. */
  sealed interface StreamItem extends DeviceEvent {
    long cursor();
  }

  /** A message of the user's delivery stream. */
  record MsgNew(long cursor, ChatMessage message) implements StreamItem {}

  /** A receipt for the user's messages, as an item of their delivery stream. */
  record ReceiptItem(long cursor, Receipt receipt) implements StreamItem {}

  /**
   * A re-delivered item the device need not see: a receipt that a later one of the same
   * re-delivery covers. It only moves the connection past its cursor, without a gap.
   */
  record Covered(long cursor) implements StreamItem {}

  record Receipt(String conversationId, long seq, String userId, ReceiptStatus status)
      implements DeviceEvent {}

  record Typing(String conversationId, String userId) implements DeviceEvent {}

  /** A message was deleted for everyone. */
  record MsgDeleted(String conversationId, long seq) implements DeviceEvent {}

  /** A deletion, as an item of the delivery stream: devices offline now get it when they reconnect. */
  record DeletionItem(long cursor, MsgDeleted deleted) implements StreamItem {}

  /**
   * {@code roles} null for a conversation without them (see {@link GroupRoles}); a large group
   * lists no {@code members}, only their {@code memberCount} (0 from older nodes: the list's size).
   */
  record ConversationUpdated(String conversationId, String title, List<String> members, GroupRoles roles,
      long memberCount) implements DeviceEvent {
    public ConversationUpdated(String conversationId, String title, List<String> members, GroupRoles roles) {
      this(conversationId, title, members, roles, members.size());
    }

    public ConversationUpdated withTitle(String title) {
      return new ConversationUpdated(conversationId, title, members, roles, memberCount);
    }
  }

  /** A large group's receipts of message {@code seq}, as counts (never stored: connected devices only). */
  record ReceiptCounts(String conversationId, long seq, long delivered, long read) implements DeviceEvent {}

  /** A large group's message, relayed live to a connected member: not an item of their stream, no cursor. */
  record GroupMessage(ChatMessage message) implements DeviceEvent {}

  /**
   * {@code user}: the watched user's entity, which the subscriber watches while it says online
   * (if it stops then, its node failed or it moved: {@code offline} may never come); null from
   * older nodes.
   */
  record Presence(String userId, boolean online, long lastSeen, ActorRef<UserActor.Command> user)
      implements DeviceEvent {
    public Presence(String userId, boolean online, long lastSeen) {
      this(userId, online, lastSeen, null);
    }
  }

  /**
   * The subscriber may not see {@code userId}'s presence (not a contact, see {@link
   * PresenceWatchers}): the same answer whether that user exists, is online or not, so that it
   * tells nothing.
   */
  record PresenceHidden(String userId) implements DeviceEvent {}

  record InboxUpdate(InboxItem item) implements DeviceEvent {}

  /** The user was invited to a group (they may not be added directly): see {@link GroupConsent}. */
  record Invited(GroupConsent.Invite invite) implements DeviceEvent {}

  /**
   * The user answered their invite to a group on some device (or over HTTP): every device, which
   * may show the invite, is told it is gone. Not stored: a device connecting later is shown only
   * the invites still waiting.
   */
  record InviteAnswered(String conversationId, boolean accepted) implements DeviceEvent {}

  /**
   * The user's invite to a group was revoked (an owner or admin removed them): every device, which
   * may show the invite, is told it is gone. Not stored, as {@link InviteAnswered}.
   */
  record InviteRevoked(String conversationId) implements DeviceEvent {}

  /** Another connection took over this device id; this one must close. */
  record Replaced() implements DeviceEvent {}

  /** The user has {@code max} devices connected already; this new one is refused and must close. */
  record TooManyDevices(int max) implements DeviceEvent {}

  /** {@code max} device ids new to the user connected within a day already; this one is refused and must close. */
  record TooManyNewDevices(int max) implements DeviceEvent {}

  /**
   * The user's entity could not store the device's registration now (its write refused): the
   * connection registers again shortly, rather than when its ask times out.
   */
  record RegistrationRefused() implements DeviceEvent {}
}
