package io.parley.gateway.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.auth.JwtAuth;
import io.parley.auth.UserIds;
import io.parley.cluster.Done;
import io.parley.conversation.ConversationActor;
import io.parley.gateway.ChatService;
import io.parley.gateway.ClientJson;
import io.parley.gateway.Entities;
import io.parley.gateway.GroupAdds;
import io.parley.gateway.PresenceAndTyping;
import io.parley.gateway.SendOrder;
import io.parley.gateway.WireFormat;
import io.parley.user.UserActor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Handles the client frames of one WebSocket connection: each text frame in, at most one reply
 * frame out (an error carries the frame's {@code req_id}).
 */
public final class ClientFrames {
  static final int MAX_REQ_ID = 64;
  static final int MAX_PRESENCE_SUBSCRIPTIONS = 500;

  private final String userId;
  private final String deviceId;
  private final ChatService chat;
  private final JwtAuth auth;
  private final Entities entities;
  private final ActorRef<Object> connection;
  /** Whose presence this connection watches: each one wakes and is held by a user entity. */
  private final Set<String> presenceSubscriptions = new HashSet<>();
  /** The latest presence change: each one waits for those before it, so that they apply in frame order. */
  private CompletionStage<?> presenceChanges = CompletableFuture.completedFuture(null);
  /** An ack was accepted since the last sync: the next answer waits until it is stored. */
  private boolean ackNotSynced;
  /** The latest ack, done once the connection has been told of it (or it failed). */
  private CompletionStage<?> lastAck = CompletableFuture.completedFuture(null);
  /** The latest ack, done once the connection has taken it (or it failed). */
  private CompletionStage<?> lastAckTaken = CompletableFuture.completedFuture(null);
  /** The message the frame being handled sends, once stored: set by {@link #dispatch}, taken by {@link #handle}. */
  private CompletionStage<Optional<ChatService.SentMessage>> sending;
  /** Keeps this connection's sends in the order it read them (see {@link SendOrder}). */
  private final SendOrder sends = new SendOrder();

  public ClientFrames(String userId, String deviceId, ChatService chat, JwtAuth auth, Entities entities,
      ActorRef<Object> connection) {
    this.auth = auth;
    this.userId = userId;
    this.deviceId = deviceId;
    this.chat = chat;
    this.entities = entities;
    this.connection = connection;
  }

  public CompletionStage<Optional<String>> handle(String text) {
    String[] reqId = {null};
    boolean[] isAck = {false};
    CompletionStage<Optional<ObjectNode>> reply =
        ChatService.guarded(
            () -> {
              ObjectNode frame = ClientJson.parseObject(text);
              String id = ClientJson.optionalString(frame, "req_id");
              if (id != null && id.codePointCount(0, id.length()) > MAX_REQ_ID) {
                throw ApiError.badRequest("req_id must be at most " + MAX_REQ_ID + " characters");
              }
              reqId[0] = id;
              String type = ClientJson.requiredString(frame, "type");
              isAck[0] = type.equals("ack");
              return dispatch(type, frame, id);
            });
    CompletionStage<Optional<ChatService.SentMessage>> sent =
        sending != null ? sending : CompletableFuture.completedFuture(Optional.empty());
    sending = null;
    if (isAck[0]) {
      ackNotSynced = true;
    } else if (ackNotSynced) {
      ackNotSynced = false;
      reply = afterAcksStored(reply, reqId[0], sent);
    }
    return reply
        .exceptionally(failure -> Optional.of(WireFormat.error(
            reqId[0] != null ? reqId[0] : refusedReqId(text), ApiError.from(failure))))
        .thenApply(node -> node.map(WireFormat::render));
  }

  /** The req_id of a frame refused before it was read, if it has one within the limit. */
  private static String refusedReqId(String text) {
    String id = ClientJson.reqIdOfRefused(text);
    return id != null && id.length() <= MAX_REQ_ID ? id : null;
  }

  /**
   * PROTOCOL.md: acks are durable once a later frame on the connection is answered. Acks are
   * stored lazily (the user's {@code DeliveryStream} keeps an ack until the next write), so the first frame after one is answered only
   * once they are stored; replies leave in frame order, so every later answer waits too. When
   * that frame sends a message, its copy for this user's stream is stored with the acks: the
   * sync asks for nothing more than that write.
   */
  private CompletionStage<Optional<ObjectNode>> afterAcksStored(
      CompletionStage<Optional<ObjectNode>> reply, String reqId, CompletionStage<Optional<ChatService.SentMessage>> sent) {
    // Replies go to the socket straight, not through the connection: it takes the ack (while the
    // sync runs) before the answer that makes the ack durable, and from then on it sends none of
    // the acked items again.
    CompletionStage<?> taken = lastAckTaken.handle((done, ignored) -> done);
    CompletionStage<Optional<ApiError>> stored = lastAck.handle((told, ignored) -> told)
        .thenCompose(told -> sent.handle((message, failure) -> failure == null ? message : Optional.<ChatService.SentMessage>empty()))
        .thenCompose(message -> chat.syncAcks(userId, message))
        .handle((done, failure) -> failure == null ? Optional.empty() : Optional.of(ApiError.from(failure)));
    return reply
        .exceptionally(failure -> Optional.of(WireFormat.error(reqId, ApiError.from(failure))))
        .thenCombine(stored, (answer, syncFailure) -> answer.isPresent() && syncFailure.isPresent()
            ? Optional.of(WireFormat.error(reqId, syncFailure.get()))
            : answer)
        .thenCombine(taken, (answer, done) -> answer);
  }

  private CompletionStage<Optional<ObjectNode>> dispatch(String type, ObjectNode frame, String reqId) {
    switch (type) {
      case "ping":
        return reply(WireFormat.frame("pong", reqId));
      case "msg.send": {
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        CompletionStage<ConversationActor.SendAck> acked = chat.send(
            userId,
            new ChatService.SendRequest(
                conversationId,
                ClientJson.requiredString(frame, "client_msg_id"),
                ClientJson.requiredString(frame, "content"),
                ClientJson.optionalString(frame, "content_type"),
                ClientJson.optionalStrings(frame, "mentions")),
            sends.next());
        sending = acked.thenApply(ack -> ack.toSenderStream()
            ? Optional.of(new ChatService.SentMessage(conversationId, ack.seq()))
            : Optional.empty());
        return acked.thenApply(ack -> Optional.of(WireFormat.sendAck(reqId, conversationId, ack)));
      }
      case "msg.delete": {
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        long seq = ClientJson.requiredLong(frame, "seq");
        return chat.delete(userId, conversationId, seq)
            .thenApply(done -> Optional.of(WireFormat.msgDeleted(reqId, conversationId, seq)));
      }
      case "ack": {
        long cursor = ClientJson.requiredLong(frame, "cursor");
        CompletableFuture<Void> taken = new CompletableFuture<>();
        CompletionStage<?> accepted = chat.ack(userId, deviceId, cursor)
            .thenAccept(done -> connection.tell(new Connection.Acked(cursor, taken)));
        lastAck = accepted;
        lastAckTaken = accepted.thenCompose(told -> taken);
        return noReply(accepted);
      }
      case "msg.read":
        return noReply(chat.markRead(userId, deviceId,
            ClientJson.requiredString(frame, "conversation_id"), ClientJson.requiredLong(frame, "seq")));
      case "typing":
        return typing(reqId, ClientJson.requiredString(frame, "conversation_id"));
      case "conversation.create":
        return chat.groups().createGroup(userId, ClientJson.requiredString(frame, "title"),
                ClientJson.requiredStrings(frame, "members"))
            .thenApply(created ->
                Optional.of(WireFormat.conversationCreated(reqId, created.value(), created.invited())));
      case "conversation.add_members": {
        // Answered only when asked with a req_id: PROTOCOL.md gives add_members no reply.
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        List<String> members = ClientJson.requiredStrings(frame, "members");
        CompletionStage<GroupAdds.Added<Done>> added = chat.groups().addMembers(userId, conversationId, members);
        return reqId == null ? noReply(added) : added.thenApply(done ->
            Optional.of(WireFormat.membersAdded(reqId, conversationId, members, done.invited())));
      }
      case "invites.get":
        return chat.groups().invites(userId).thenApply(invites -> Optional.of(WireFormat.invites(reqId, invites)));
      case "conversation.accept_invite":
      case "conversation.decline_invite": {
        boolean accept = type.equals("conversation.accept_invite");
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        return chat.groups().answerInvite(userId, conversationId, accept)
            .thenApply(invite -> Optional.of(WireFormat.inviteAnswered(reqId, conversationId, accept)));
      }
      case "settings.get":
      case "settings.set": {
        String groupAdds = type.equals("settings.set") ? ClientJson.requiredString(frame, "group_adds") : null;
        return chat.groups().groupAddPolicy(userId, groupAdds)
            .thenApply(policy -> Optional.of(WireFormat.settings(reqId, policy)));
      }
      case "conversation.remove_members": {
        // Answered only when asked with a req_id, as add_members: PROTOCOL.md gives it no reply.
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        List<String> members = ClientJson.requiredStrings(frame, "members");
        CompletionStage<Done> removed = chat.groups().removeMembers(userId, conversationId, members);
        return reqId == null ? noReply(removed) : removed.thenApply(done ->
            Optional.of(WireFormat.membersRemoved(reqId, conversationId, members)));
      }
      case "conversation.set_role":
        return noReply(chat.groups().setRole(userId, ClientJson.requiredString(frame, "conversation_id"),
            ClientJson.requiredString(frame, "user_id"), ClientJson.requiredString(frame, "role")));
      case "conversation.rename":
        return noReply(chat.groups().rename(userId, ClientJson.requiredString(frame, "conversation_id"),
            ClientJson.requiredString(frame, "title")));
      case "conversation.set_posting":
        return noReply(chat.groups().setPosting(userId, ClientJson.requiredString(frame, "conversation_id"),
            ClientJson.requiredString(frame, "posting")));
      case "conversation.members": {
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        return chat.groups().members(userId, conversationId, ClientJson.optionalString(frame, "after"),
                ClientJson.optionalInt(frame, "limit"))
            .thenApply(page -> Optional.of(WireFormat.members(reqId, conversationId, page)));
      }
      case "conversation.leave":
        return noReply(chat.leave(userId, ClientJson.requiredString(frame, "conversation_id")));
      case "inbox.get":
        return chat.inbox(userId, ClientJson.optionalInt(frame, "limit"), ClientJson.optionalLong(frame, "before_ts"),
                ClientJson.optionalString(frame, "after_conversation_id"))
            .thenApply(items -> Optional.of(WireFormat.inbox(reqId, items)));
      case "history.get": {
        String conversationId = ClientJson.requiredString(frame, "conversation_id");
        return chat.history(userId, conversationId, ClientJson.optionalLong(frame, "before_seq"),
                ClientJson.optionalInt(frame, "limit"))
            .thenApply(page -> Optional.of(WireFormat.history(reqId, conversationId, page)));
      }
      case "presence.subscribe": {
        List<String> ids = presenceUsers(frame);
        return noReply(changePresence(() -> subscribePresence(ids)));
      }
      case "presence.unsubscribe": {
        List<String> ids = presenceUsers(frame);
        return noReply(changePresence(() -> unsubscribePresence(ids)));
      }
      case "auth.refresh": {
        // A newer token of the same user keeps the connection beyond the old one's expiry.
        JwtAuth.Verified token = auth.check(ClientJson.requiredString(frame, "token"))
            .filter(verified -> verified.userId().equals(userId))
            .orElseThrow(() -> new ApiError(ErrorCode.UNAUTHORIZED, "not a valid token of " + userId));
        connection.tell(new Connection.TokenRefreshed(token.expiresAt()));
        return reply(WireFormat.frame("auth.refreshed", reqId).put("expires_at", token.expiresAt().toEpochMilli()));
      }
      case "device.register":
        return chat.registerPushToken(userId, ClientJson.requiredString(frame, "platform"),
                ClientJson.requiredString(frame, "token"), true)
            .thenApply(done -> Optional.of(WireFormat.frame("device.registered", reqId)));
      case "device.unregister":
        return noReply(chat.registerPushToken(userId, ClientJson.requiredString(frame, "platform"),
            ClientJson.requiredString(frame, "token"), false));
      default:
        throw new ApiError(ErrorCode.UNKNOWN_TYPE, "unknown frame type \"" + type + "\"");
    }
  }

  /**
   * Runs {@code change} once the user's presence limit allows and every earlier change of this
   * connection is done (a failed one included), maybe on the thread that brought a lease or an
   * answer: the lock makes each change seen by the next.
   */
  private CompletionStage<Void> changePresence(java.util.function.Supplier<CompletionStage<Void>> change) {
    CompletionStage<Void> leased = chat.presenceAndTyping().limitPresence(userId);
    CompletionStage<Void> changed = presenceChanges.handle((done, failure) -> null)
        .thenCombine(leased, (before, lease) -> null)
        .thenCompose(ready -> change.get());
    presenceChanges = changed;
    return changed;
  }

  /**
   * The user's entity first counts the subscriptions across all their connections ({@code
   * parley.presence.max-watched-per-user}): past that bound the frame is refused whole.
   */
  private CompletionStage<Void> subscribePresence(List<String> ids) {
    Set<String> after;
    synchronized (presenceSubscriptions) {
      after = new HashSet<>(presenceSubscriptions);
    }
    after.addAll(ids);
    if (after.size() > MAX_PRESENCE_SUBSCRIPTIONS) {
      throw ApiError.badRequest("a connection may watch the presence of at most " + MAX_PRESENCE_SUBSCRIPTIONS
          + " users; unsubscribe some first");
    }
    return chat.presenceAndTyping().watchPresence(userId, connection.narrow(), after).thenRun(() -> {
      synchronized (presenceSubscriptions) {
        presenceSubscriptions.addAll(ids);
        connection.tell(new Connection.PresenceWatched(Set.copyOf(presenceSubscriptions)));
        ids.forEach(id -> entities.user(id).tell(new UserActor.SubscribePresence(userId, connection.narrow())));
      }
    });
  }

  /**
   * Fewer subscriptions are never refused: the user's entity is told, not asked. Only the users
   * this connection watched are told: a message to another's entity would start it for nothing.
   */
  private CompletionStage<Void> unsubscribePresence(List<String> ids) {
    synchronized (presenceSubscriptions) {
      List<String> watched = new ArrayList<>();
      for (String id : ids) {
        if (presenceSubscriptions.remove(id)) {
          watched.add(id);
        }
      }
      Set<String> after = Set.copyOf(presenceSubscriptions);
      connection.tell(new Connection.PresenceWatched(after));
      entities.user(userId).tell(new UserActor.WatchPresence(connection.narrow(), after, null, null));
      watched.forEach(id -> entities.user(id).tell(new UserActor.UnsubscribePresence(connection.narrow())));
    }
    return CompletableFuture.completedFuture(null);
  }

  private static List<String> presenceUsers(ObjectNode frame) {
    List<String> ids = ClientJson.requiredStrings(frame, "user_ids");
    if (ids.size() > MAX_PRESENCE_SUBSCRIPTIONS || !ids.stream().allMatch(UserIds::isValid)) {
      throw ApiError.badRequest("user_ids must be at most " + MAX_PRESENCE_SUBSCRIPTIONS + " valid user ids");
    }
    return ids.stream().distinct().toList(); // each user once: a subscription is answered per user
  }

  private static CompletionStage<Optional<ObjectNode>> reply(ObjectNode frame) {
    return CompletableFuture.completedFuture(Optional.of(frame));
  }

  private static CompletionStage<Optional<ObjectNode>> none() {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  private static CompletionStage<Optional<ObjectNode>> noReply(CompletionStage<?> operation) {
    return operation.thenApply(done -> Optional.empty());
  }

  /**
   * Typing stores nothing, so the conversation's answer need not keep the replies' order, which
   * is there to make acks and reads durable before later answers: the frame is done with once the
   * typing limit allows it (a {@code rate_limited} keeps its place), and a refusal from the
   * conversation reaches the client through the connection whenever it comes. So a conversation
   * slow to answer (one on a node of an earlier version never does) holds up no later reply.
   */
  private CompletionStage<Optional<ObjectNode>> typing(String reqId, String conversationId) {
    PresenceAndTyping typing = chat.presenceAndTyping();
    return typing.limitTyping(userId, conversationId).thenApply(allowed -> {
      typing.typing(userId, conversationId).whenComplete((done, failure) -> {
        if (failure != null) {
          connection.tell(new Connection.Refusal(WireFormat.error(reqId, ApiError.from(failure))));
        }
      });
      return Optional.empty();
    });
  }
}
