package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.auth.UserIds;
import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationIds;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.NeverStored;
import io.parley.gateway.relay.LargeGroupInbox;
import io.parley.limits.RateLimits;
import io.parley.limits.RequestTimeouts;
import io.parley.media.MediaService;
import io.parley.media.MediaUrls;
import io.parley.metrics.ParleyMetrics;
import io.parley.privacy.ContentSealing;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.user.AllowanceKind;
import io.parley.user.GroupConsentSettings;
import io.parley.user.InboxCursor;
import io.parley.user.InboxItem;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Every client operation, validated once for both the WebSocket and the HTTP API. Failures
 * complete the stage with an {@link ApiError}.
 */
public final class ChatService {
  public static final int MAX_HISTORY_LIMIT = 200;
  public static final int DEFAULT_HISTORY_LIMIT = 50;
  public static final int MAX_INBOX_LIMIT = 200;
  public static final int DEFAULT_INBOX_LIMIT = 20;

  /** {@code mentions}: user ids (or {@value ConversationActor#MENTION_ALL}) a large group pushes; may be empty. */
  public record SendRequest(
      String conversationId, String clientMsgId, String content, String contentType, List<String> mentions) {
    public SendRequest {
      mentions = mentions == null ? List.of() : mentions;
    }
  }

  public static final int MAX_MENTIONS = 50;

  private final Entities entities;
  private final MessageHistory history;
  private final MediaService media;
  private final RateLimits limits;
  private final ConversationSettings conversationSettings;
  private final RequestTimeouts timeouts;
  private final ContentSealing sealing;
  private final LargeGroupInbox largeGroups;
  private final ActorSystem<?> system;
  private final ConversationGate gate;
  private final GroupRequests groups;
  private final PresenceAndTyping presenceAndTyping;

  /** With the group consent settings of a production node ({@link GroupConsentSettings#DEFAULT}). */
  public ChatService(
      Entities entities,
      MessageHistory history,
      MediaService media,
      RateLimits limits,
      ConversationSettings conversationSettings,
      RequestTimeouts timeouts,
      ContentSealing sealing,
      LargeGroupInbox largeGroups,
      ActorSystem<?> system) {
    this(entities, history, media, limits, conversationSettings, timeouts, sealing, largeGroups, system,
        ConversationGate.open(), GroupConsentSettings.DEFAULT, Clock.systemUTC());
  }

  /**
   * {@code gate}: which conversations exist, so that requests about others start no entity;
   * {@code groupConsent}: who may add whom to groups.
   */
  ChatService(
      Entities entities,
      MessageHistory history,
      MediaService media,
      RateLimits limits,
      ConversationSettings conversationSettings,
      RequestTimeouts timeouts,
      ContentSealing sealing,
      LargeGroupInbox largeGroups,
      ActorSystem<?> system,
      ConversationGate gate,
      GroupConsentSettings groupConsent,
      Clock clock) {
    this.gate = gate;
    this.entities = entities;
    this.history = history;
    this.media = media;
    this.limits = limits;
    this.conversationSettings = conversationSettings;
    this.timeouts = timeouts;
    this.sealing = sealing;
    this.largeGroups = largeGroups;
    this.system = system;
    this.groups = new GroupRequests(this, entities, limits, gate, sealing,
        new GroupAdds(entities, groupConsent, sealing, timeouts.ask(), system, clock));
    this.presenceAndTyping = new PresenceAndTyping(this, entities, limits, gate);
  }

  /** Creating groups, their members and roles, and invites to them. */
  public GroupRequests groups() {
    return groups;
  }

  /** Typing notices and presence subscriptions. */
  public PresenceAndTyping presenceAndTyping() {
    return presenceAndTyping;
  }

  public CompletionStage<ConversationActor.SendAck> send(String userId, SendRequest request) {
    return send(userId, request, SendOrder.unordered());
  }

  /** A send that goes to its conversation in {@code turn} (see {@link SendOrder}). */
  public CompletionStage<ConversationActor.SendAck> send(String userId, SendRequest request, SendOrder.Turn turn) {
    CompletionStage<ConversationActor.SendAck> acked;
    try {
      acked = prepareAndSend(userId, request, turn);
    } catch (RuntimeException refused) {
      turn.release();
      throw refused;
    }
    acked.whenComplete((ack, failure) -> turn.release()); // nothing if it went
    return acked;
  }

  private CompletionStage<ConversationActor.SendAck> prepareAndSend(
      String userId, SendRequest request, SendOrder.Turn turn) {
    requireConversationId(request.conversationId());
    String clientMsgId = request.clientMsgId();
    if (clientMsgId == null || clientMsgId.isEmpty() || clientMsgId.codePointCount(0, clientMsgId.length()) > 64) {
      throw ApiError.badRequest("client_msg_id must be 1–64 characters");
    }
    String contentType = request.contentType() == null ? "text" : request.contentType();
    if (!contentType.equals("text") && !contentType.equals("media")) {
      throw ApiError.badRequest("content_type must be \"text\" or \"media\"");
    }
    if (request.content() == null || request.content().isEmpty()) {
      throw ApiError.badRequest("content must be a non-empty string");
    }
    if (request.mentions().size() > MAX_MENTIONS
        || !request.mentions().stream().allMatch(id -> id.equals(ConversationActor.MENTION_ALL) || UserIds.isValid(id))) {
      throw ApiError.badRequest("mentions must be at most " + MAX_MENTIONS + " user ids (or \"" + ConversationActor.MENTION_ALL
          + "\")");
    }
    int chars = request.content().codePointCount(0, request.content().length());
    if (chars > conversationSettings.maxContentChars()) {
      throw new ApiError(ErrorCode.TOO_LARGE,
          "content is " + chars + " characters; at most " + conversationSettings.maxContentChars());
    }
    String mediaId = contentType.equals("media")
        ? MediaUrls.idOf(request.content()).orElseThrow(() -> ApiError.badRequest(
            "content of a media message must be a media_url returned by POST /v1/media"))
        : null;
    long started = System.nanoTime();
    // Media: the conversation is granted access before the message is sent (grant-then-send).
    boolean mentionsEveryone = request.mentions() != null && request.mentions().contains(ConversationActor.MENTION_ALL);
    return limits.acquire(AllowanceKind.MESSAGES, userId)
        .thenCompose(allowed -> mentionsEveryone
            ? limits.acquire(AllowanceKind.EVERYONE_MENTIONS, userId)
            : CompletableFuture.<Void>completedFuture(null))
        .thenCompose(allowed -> gate.sendable(userId, request.conversationId()))
        .thenCompose(allowed -> mediaId == null
            ? CompletableFuture.completedFuture(MediaService.Grant.none())
            : media.shareBeforeSend(userId, mediaId, request.conversationId()).thenApply(ChatService::valueOrThrow))
        .thenCompose(grant -> MediaSendGrants.settled(media, grant, sealing.seal(userId, request.conversationId(),
                request.clientMsgId(), request.content(), contentType)
            .thenCompose(sealed -> turn.go(() -> this.<ConversationActor.Command, ConversationActor.SendAck>ask(
                entities.conversation(request.conversationId()), timeouts.send(),
                replyTo -> new ConversationActor.Send(userId, request.clientMsgId(), sealed.content(), contentType,
                    sealed.keyId(), sealed.preview(), request.mentions(), replyTo))))))
        .thenApply(ack -> {
          ParleyMetrics.sendAcked(Duration.ofNanos(System.nanoTime() - started));
          gate.remember(request.conversationId());
          return ack;
        });
  }

  /** Streams an upload to object storage; see {@link MediaService#upload}. */
  public CompletionStage<MediaService.Stored> uploadMedia(
      String userId,
      ContentType contentType,
      OptionalLong declaredLength,
      boolean awaitsContinue,
      Source<ByteString, ?> body) {
    // Media is not sealed: what an erasure is to delete must not be stored after it listed it.
    return sealing.requireNotErasing(userId)
        .thenCompose(allowed -> media.upload(userId, contentType, declaredLength, awaitsContinue, body))
        .thenApply(ChatService::valueOrThrow);
  }

  public CompletionStage<Done> leave(String userId, String conversationId) {
    requireConversationId(conversationId);
    return countedAsRead(userId).thenCompose(allowed -> gate.ifMember(userId, conversationId,
        () -> ask(entities.conversation(conversationId), replyTo -> new ConversationActor.Leave(userId, replyTo)),
        () -> NeverStored.notFound(conversationId)));
  }

  /** Deletes one of the user's messages for everyone. */
  public CompletionStage<Done> delete(String userId, String conversationId, long seq) {
    requireConversationId(conversationId);
    if (seq < 1) {
      throw ApiError.badRequest("seq must be a positive integer"); // no message is ever there
    }
    return countedAsRead(userId).thenCompose(allowed -> gate.ifMember(userId, conversationId,
        () -> ask(entities.conversation(conversationId), replyTo -> new ConversationActor.Delete(userId, seq, replyTo)),
        () -> NeverStored.notFound(conversationId)));
  }

  public CompletionStage<MessageHistory.Page> history(
      String userId, String conversationId, Long beforeSeq, Integer limit) {
    requireConversationId(conversationId);
    if (beforeSeq != null && beforeSeq < 1) {
      throw ApiError.badRequest("before_seq must be a positive integer");
    }
    int n = limit(limit, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT);
    return limits.acquire(AllowanceKind.READS, userId)
        .thenCompose(allowed -> gate.ifMember(userId, conversationId,
            () -> history.page(userId, conversationId, beforeSeq == null ? Long.MAX_VALUE : beforeSeq, n)
                .thenApply(ChatService::valueOrThrow),
            () -> NeverStored.history(conversationId, userId)))
        .thenCompose(sealing::open);
  }

  public CompletionStage<List<InboxItem>> inbox(String userId, Integer limit, Long beforeTs, String afterConversationId) {
    int n = limit(limit, DEFAULT_INBOX_LIMIT, MAX_INBOX_LIMIT);
    if (afterConversationId != null) {
      if (beforeTs == null) {
        throw ApiError.badRequest("after_conversation_id goes with before_ts: a page's last conversation_id and last_message_ts");
      }
      if (!ConversationIds.isValidId(afterConversationId)) {
        throw ApiError.badRequest("after_conversation_id must be " + UserIds.GRAMMAR);
      }
    }
    InboxCursor cursor = new InboxCursor(beforeTs, afterConversationId);
    // A read: a page asks each large group of the user and the groups whose member lists it does not keep.
    return limits.acquire(AllowanceKind.READS, userId)
        .thenCompose(allowed -> ask(entities.user(userId),
            (ActorRef<Outcome<UserActor.InboxPage>> replyTo) -> new UserActor.GetInbox(n, beforeTs, afterConversationId, replyTo)))
        .thenCompose(page -> largeGroups.merge(userId, page.items(), n, cursor))
        .thenCompose(sealing::openItems);
  }

  public CompletionStage<Done> ack(String userId, String deviceId, long cursor) {
    if (cursor < 0) {
      throw ApiError.badRequest("cursor must be a non-negative integer");
    }
    return ask(entities.user(userId), replyTo -> new UserActor.Ack(deviceId, cursor, replyTo));
  }

  /**
   * Completes once every ack this user's entity accepted so far is stored; {@code sent}, if any, is
   * a message the user just sent whose copy the entity will store anyway (see {@link UserActor.Sync}).
   * An entity on a node of an earlier version (during a rolling update) answers a bare Done.
   */
  public CompletionStage<Done> syncAcks(String userId, Optional<SentMessage> sent) {
    String conversationId = sent.map(SentMessage::conversationId).orElse(null);
    long seq = sent.map(SentMessage::seq).orElse(0L);
    return OutcomeAsks.ask(entities.user(userId), Done.class,
        replyTo -> new UserActor.Sync(conversationId, seq, replyTo), timeouts.ask(), system.scheduler());
  }

  /** A message stored in {@code conversationId} at {@code seq}. */
  public record SentMessage(String conversationId, long seq) {}

  public CompletionStage<Done> markRead(String userId, String deviceId, String conversationId, long seq) {
    requireConversationId(conversationId);
    if (seq < 0) {
      throw ApiError.badRequest("seq must be a non-negative integer");
    }
    // A large group is in no user entity's inbox unless it was small once: its read mark is in its rows.
    return this.<UserActor.Command, Done>ask(entities.user(userId),
            replyTo -> new UserActor.MarkRead(deviceId, conversationId, seq, replyTo))
        .handle((done, failure) -> failure == null ? CompletableFuture.completedFuture(done)
            : ApiError.from(failure).code == ErrorCode.NOT_MEMBER
                ? countedAsRead(userId).thenCompose(allowed -> gate.ifMember(userId, conversationId,
                    () -> largeGroups.markRead(userId, conversationId, seq),
                    () -> NeverStored.<Done>read(conversationId, userId)))
                : CompletableFuture.<Done>failedFuture(failure))
        .thenCompose(stage -> stage);
  }

  /** Completes when {@code userId} may start an export; fails with {@code rate_limited} if not. */
  public CompletionStage<Void> limitExport(String userId) {
    return limits.acquire(AllowanceKind.EXPORTS, userId);
  }

  static final int MAX_PUSH_TOKEN_CHARS = 4096;

  /** APNs tokens are hex and FCM's URL-safe text: a space or a line break is no provider's token. */
  private static boolean isPrintableAscii(String token) {
    return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  public CompletionStage<Done> registerPushToken(String userId, String platform, String token, boolean register) {
    if (!"apns".equals(platform) && !"fcm".equals(platform)) {
      throw ApiError.badRequest("platform must be \"apns\" or \"fcm\"");
    }
    // Only a registration is checked for its characters: a token stored before may still be removed.
    if (token == null || token.isEmpty() || token.length() > MAX_PUSH_TOKEN_CHARS
        || (register && !isPrintableAscii(token))) {
      throw ApiError.badRequest("token must be 1–" + MAX_PUSH_TOKEN_CHARS
          + " printable ASCII characters (as APNs or FCM issued it)");
    }
    PushToken pushToken = new PushToken(platform, token);
    if (!register) {
      return ask(entities.user(userId), replyTo -> new UserActor.UnregisterPushToken(pushToken, replyTo));
    }
    // Claimed first: from then on no earlier user of this device keeps the token. Each claim is a
    // record of its own, so registrations are counted.
    return limits.acquire(AllowanceKind.PUSH_TOKENS, userId)
        .thenCompose(allowed -> this.<PushTokenOwner.Command, Done>ask(
            entities.pushTokenOwner(pushToken), replyTo -> new PushTokenOwner.Claim(userId, pushToken, replyTo)))
        .thenCompose(claimed ->
            ask(entities.user(userId), replyTo -> new UserActor.RegisterPushToken(pushToken, replyTo)));
  }

  /**
   * A request no other limit counts is counted as a read, whether this node knows the conversation
   * or not: an id it does not know is looked up in the store, and a known one's entity is asked,
   * which starts it if asleep. Only unknown ids were counted, so a former member (who knows a
   * group's id) could wake the group with refused requests as fast as they could send them.
   */
  private CompletionStage<Void> countedAsRead(String userId) {
    return limits.acquire(AllowanceKind.READS, userId);
  }

  static void requireConversationId(String conversationId) {
    if (!ConversationIds.isValidId(conversationId)) {
      throw ApiError.badRequest("conversation_id must be " + UserIds.GRAMMAR);
    }
  }

  static int limit(Integer limit, int defaultLimit, int maxLimit) {
    if (limit == null) {
      return defaultLimit;
    }
    if (limit < 1) {
      throw ApiError.badRequest("limit must be a positive integer");
    }
    return Math.min(limit, maxLimit);
  }

  <C, T> CompletionStage<T> ask(
      RecipientRef<C> entity, Function<ActorRef<Outcome<T>>, C> command) {
    return ask(entity, timeouts.ask(), command);
  }

  private <C, T> CompletionStage<T> ask(
      RecipientRef<C> entity, Duration timeout, Function<ActorRef<Outcome<T>>, C> command) {
    return Asks.ask(entity, command::apply, timeout, system.scheduler())
        .thenApply(ChatService::valueOrThrow);
  }

  static <T> T valueOrThrow(Outcome<T> outcome) {
    if (!outcome.isOk()) {
      throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message(), outcome.retryAfterMs());
    }
    return outcome.value();
  }

  /** Runs {@code operation}, turning a validation failure thrown up front into a failed stage. */
  public static <T> CompletionStage<T> guarded(java.util.function.Supplier<CompletionStage<T>> operation) {
    try {
      return operation.get();
    } catch (ApiError invalid) {
      return CompletableFuture.failedFuture(invalid);
    }
  }
}
