package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.conversation.ReceiptStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.GroupRoles;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.MessageHistory;
import io.parley.media.MediaService;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupAddPolicy;
import io.parley.user.GroupConsent;
import io.parley.user.InboxItem;
import java.util.ArrayList;
import java.util.List;

/** The JSON of PROTOCOL.md's server frames and bodies; {@link ClientJson} reads the client's. */
public final class WireFormat {
  /** Text after the one JSON value of a frame or body makes it invalid JSON, not ignored. */
  public static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private WireFormat() {}

  // ------------------------------------------------------------------------------ server frames

  public static ObjectNode frame(String type, String reqId) {
    ObjectNode node = JSON.createObjectNode().put("type", type);
    if (reqId != null) {
      node.put("req_id", reqId);
    }
    return node;
  }

  public static ObjectNode hello(String userId, String deviceId, long serverTime, long heartbeatMs) {
    return frame("hello", null)
        .put("user_id", userId)
        .put("device_id", deviceId)
        .put("server_time", serverTime)
        .put("heartbeat_ms", heartbeatMs);
  }

  public static ObjectNode error(String reqId, ApiError error) {
    error.counted();
    ObjectNode node = frame("error", reqId).put("code", error.code.wire).put("message", error.getMessage());
    if (error.retryAfterMs != null) {
      node.put("retry_after_ms", error.retryAfterMs);
    }
    return node;
  }

  /** Items skipped by a re-delivery because the queue no longer holds them (README). */
  public static ObjectNode pendingDropped(long fromCursor, long toCursor) {
    return frame("error", null)
        .put("code", "pending_dropped")
        .put("message", "items " + fromCursor + ".." + toCursor
            + " are no longer kept for this device; read the conversations' history to catch up")
        .put("from_cursor", fromCursor)
        .put("to_cursor", toCursor);
  }

  public static ObjectNode tokenExpired() {
    return error(null, new ApiError(ErrorCode.UNAUTHORIZED,
        "the token expired; send auth.refresh with a new one before it does, or connect again"));
  }

  /** The HTTP API's error body. */
  static ObjectNode errorBody(ApiError error) {
    error.counted();
    ObjectNode node = JSON.createObjectNode().put("code", error.code.wire).put("message", error.getMessage());
    if (error.retryAfterMs != null) {
      node.put("retry_after_ms", error.retryAfterMs);
    }
    return node;
  }

  public static ObjectNode sendAck(String reqId, String conversationId, ConversationActor.SendAck ack) {
    return frame("msg.ack", reqId)
        .put("conversation_id", conversationId)
        .put("client_msg_id", ack.clientMsgId())
        .put("message_id", ack.messageId())
        .put("seq", ack.seq())
        .put("server_ts", ack.serverTs())
        .put("status", "sent");
  }

  /** The reply to {@code POST /v1/media}. */
  static ObjectNode mediaStored(MediaService.Stored stored) {
    return JSON.createObjectNode()
        .put("media_url", stored.url())
        .put("content_type", stored.media().contentType())
        .put("size", stored.media().size());
  }

  static ObjectNode conversationCreated(String reqId, ConversationInfo info) {
    ObjectNode node = frame("conversation.created", reqId)
        .put("conversation_id", info.conversationId())
        .put("title", info.title());
    return withRoles(withMembers(node, info.members(), info.memberCount()), info.roles());
  }

  /** {@code invited}: ids invited rather than added (an extension, see {@link GroupAdds}); left out when none. */
  public static ObjectNode conversationCreated(String reqId, ConversationInfo info, List<String> invited) {
    ObjectNode node = conversationCreated(reqId, info);
    if (!invited.isEmpty()) {
      node.set("invited", strings(invited));
    }
    return node;
  }

  /**
   * The answer to an add_members with a req_id: the ids asked for less those invited, and those
   * invited; each id once, however often it was asked for.
   */
  public static ObjectNode membersAdded(String reqId, String conversationId, List<String> members, List<String> invited) {
    ObjectNode node = frame("conversation.members_added", reqId).put("conversation_id", conversationId);
    node.set("added", strings(members.stream().distinct().filter(id -> !invited.contains(id)).toList()));
    node.set("invited", strings(invited));
    return node;
  }

  /** The answer to removing members over HTTP: as a remove_members with a req_id answers, without type. */
  public static ObjectNode membersRemoved(String conversationId, List<String> members) {
    return membersRemoved(null, conversationId, members).without("type");
  }

  /** The answer to a remove_members with a req_id: each id once, however often it was asked for. */
  public static ObjectNode membersRemoved(String reqId, String conversationId, List<String> members) {
    ObjectNode node = frame("conversation.members_removed", reqId).put("conversation_id", conversationId);
    node.set("removed", strings(members.stream().distinct().toList()));
    return node;
  }

  public static ObjectNode invite(GroupConsent.Invite invite) {
    return JSON.createObjectNode()
        .put("conversation_id", invite.conversationId())
        .put("title", invite.title())
        .put("inviter_id", invite.inviterId())
        .put("invited_ts", invite.ts());
  }

  public static ObjectNode invites(String reqId, List<GroupConsent.Invite> invites) {
    ObjectNode node = frame("invites", reqId);
    ArrayNode items = node.putArray("invites");
    invites.forEach(invite -> items.add(invite(invite)));
    return node;
  }

  public static ObjectNode inviteAnswered(String reqId, String conversationId, boolean accepted) {
    return frame("conversation.invite_answered", reqId)
        .put("conversation_id", conversationId)
        .put("accepted", accepted);
  }

  public static ObjectNode settings(String reqId, GroupAddPolicy groupAdds) {
    return frame("settings", reqId).put("group_adds", groupAdds.wire());
  }

  /**
   * The members, and their count ({@code member_count}, an extension of PROTOCOL.md); a large
   * group is told in counts only ({@code large: true}), its members listed by page on request.
   */
  private static ObjectNode withMembers(ObjectNode node, List<String> members, long memberCount) {
    boolean large = memberCount > members.size();
    if (!large) {
      node.set("members", strings(members));
    }
    node.put("member_count", Math.max(memberCount, members.size()));
    if (large) {
      node.put("large", true);
    }
    return node;
  }

  /** Who runs a group (an extension of PROTOCOL.md): {@code owner}, {@code admins}, {@code posting}. */
  private static ObjectNode withRoles(ObjectNode node, GroupRoles roles) {
    if (roles != null) {
      node.put("owner", roles.owner());
      node.set("admins", strings(roles.admins()));
      node.put("posting", roles.adminsOnlyPosting() ? "admins" : "everyone");
    }
    return node;
  }

  public static ObjectNode members(String reqId, String conversationId, ConversationActor.MemberPage page) {
    ObjectNode node = frame("members", reqId).put("conversation_id", conversationId);
    ArrayNode array = node.putArray("members");
    page.members().forEach(m -> array.addObject().put("user_id", m.userId()).put("role", m.role()));
    return node.put("next_after", page.nextAfter());
  }

  public static ObjectNode inbox(String reqId, List<InboxItem> items) {
    ObjectNode node = frame("inbox", reqId);
    ArrayNode array = node.putArray("items");
    items.forEach(item -> array.add(inboxItem(item)));
    return node;
  }

  public static ObjectNode history(String reqId, String conversationId, MessageHistory.Page page) {
    ObjectNode node = frame("history", reqId).put("conversation_id", conversationId);
    ArrayNode array = node.putArray("messages");
    page.messages().forEach(m -> array.add(message(m)));
    node.put("has_more", page.hasMore());
    return node;
  }

  /** A message deleted for everyone: the reply to msg.delete, and what every member's devices get. */
  public static ObjectNode msgDeleted(String reqId, String conversationId, long seq) {
    return frame("msg.deleted", reqId).put("conversation_id", conversationId).put("seq", seq);
  }

  public static ObjectNode event(DeviceEvent event, long now) {
    if (event instanceof DeviceEvent.MsgNew m) {
      return message(m.message()).put("cursor", m.cursor());
    }
    if (event instanceof DeviceEvent.ReceiptCounts c) { // an extension of PROTOCOL.md, for large groups
      return frame("receipt.counts", null)
          .put("conversation_id", c.conversationId())
          .put("seq", c.seq())
          .put("delivered_count", c.delivered())
          .put("read_count", c.read());
    }
    if (event instanceof DeviceEvent.GroupMessage m) {
      return message(m.message()); // relayed live from a large group: no stream item, so no cursor
    }
    if (event instanceof DeviceEvent.ReceiptItem r) {
      return event(r.receipt(), now).put("cursor", r.cursor()); // cursor: an extension of PROTOCOL.md
    }
    if (event instanceof DeviceEvent.Receipt r) {
      return frame("receipt", null)
          .put("conversation_id", r.conversationId())
          .put("seq", r.seq())
          .put("user_id", r.userId())
          .put("status", r.status() == ReceiptStatus.DELIVERED ? "delivered" : "read");
    }
    if (event instanceof DeviceEvent.DeletionItem d) {
      return event(d.deleted(), now).put("cursor", d.cursor()); // cursor: an extension of PROTOCOL.md
    }
    if (event instanceof DeviceEvent.MsgDeleted d) {
      return msgDeleted(null, d.conversationId(), d.seq());
    }
    if (event instanceof DeviceEvent.Typing t) {
      return frame("typing", null).put("conversation_id", t.conversationId()).put("user_id", t.userId());
    }
    if (event instanceof DeviceEvent.ConversationUpdated u) {
      ObjectNode node = frame("conversation.updated", null)
          .put("conversation_id", u.conversationId())
          .put("title", u.title());
      return withRoles(withMembers(node, u.members(), u.memberCount()), u.roles());
    }
    if (event instanceof DeviceEvent.Presence p) {
      ObjectNode presence = frame("presence", null)
          .put("user_id", p.userId())
          .put("status", p.online() ? "online" : "offline");
      // A user who never connected (only ever used HTTP) was never seen: no time, rather than the epoch.
      return p.online() || p.lastSeen() > 0 ? presence.put("last_seen", p.online() ? now : p.lastSeen()) : presence;
    }
    if (event instanceof DeviceEvent.PresenceHidden h) {
      // No last_seen: a user the subscriber may not watch looks like one never seen.
      return frame("presence", null).put("user_id", h.userId()).put("status", "offline");
    }
    if (event instanceof DeviceEvent.Invited i) {
      return frame("conversation.invited", null).setAll(invite(i.invite()));
    }
    if (event instanceof DeviceEvent.InviteAnswered a) { // to every device of the user (an extension)
      return inviteAnswered(null, a.conversationId(), a.accepted());
    }
    if (event instanceof DeviceEvent.InviteRevoked r) { // to every device of the invitee (an extension)
      return frame("conversation.invite_revoked", null).put("conversation_id", r.conversationId());
    }
    if (event instanceof DeviceEvent.InboxUpdate u) {
      ObjectNode node = frame("inbox.update", null);
      node.set("item", inboxItem(u.item()));
      return node;
    }
    throw new IllegalArgumentException("not a frame: " + event);
  }

  public static ObjectNode message(ChatMessage m) {
    return frame("msg.new", null)
        .put("conversation_id", m.conversationId())
        .put("seq", m.seq())
        .put("message_id", m.messageId())
        .put("sender_id", m.senderId())
        .put("client_msg_id", m.clientMsgId())
        .put("content", m.content())
        .put("content_type", m.contentType())
        .put("server_ts", m.serverTs());
  }

  public static ObjectNode inboxItem(InboxItem item) {
    ObjectNode node = JSON.createObjectNode()
        .put("conversation_id", item.conversationId())
        .put("title", item.title());
    node.set("members", strings(item.members()));
    return node.put("last_seq", item.lastSeq())
        .put("last_message_preview", item.lastMessagePreview())
        .put("last_sender_id", item.lastSenderId())
        .put("last_message_ts", item.lastMessageTs())
        .put("unread_count", item.unreadCount());
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  public static String render(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }
}
