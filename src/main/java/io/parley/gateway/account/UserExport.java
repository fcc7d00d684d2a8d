package io.parley.gateway.account;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.gateway.Entities;
import io.parley.gateway.OutcomeAsks;
import io.parley.gateway.WireFormat;
import io.parley.media.MediaService;
import io.parley.conversation.MessageHistory;
import io.parley.privacy.ContentSealing;
import io.parley.user.GroupConsent;
import io.parley.user.InboxItem;
import io.parley.user.KeptElsewhere;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /v1/me/export}: everything Parley holds about the caller, as JSON lines. The user's
 * entity gives devices, push tokens, inbox entries, conversations, and the group invites and
 * setting of who may add them; then each conversation
 * gives the receipts the user gave there and every message the user sent, read page by page from
 * its history (hot and cold tiers alike), so memory stays bounded by one page however many
 * messages there are; last, the media objects the user uploaded.
 */
public final class UserExport {
  /** Messages read per history page. */
  static final int PAGE = 200;

  private final Entities entities;
  private final MessageHistory history;
  private final MediaService media;
  private final KeptElsewhere index;
  private final ContentSealing sealing;
  private final Duration askTimeout;
  private final ActorSystem<?> system;
  private final Clock clock;

  public UserExport(Entities entities, MessageHistory history, MediaService media, KeptElsewhere index,
      ContentSealing sealing, Duration askTimeout, ActorSystem<?> system, Clock clock) {
    this.entities = entities;
    this.media = media;
    this.index = index;
    this.sealing = sealing;
    this.history = history;
    this.askTimeout = askTimeout;
    this.system = system;
    this.clock = clock;
  }

  public Source<ByteString, NotUsed> lines(String userId) {
    return Source.completionStage(Asks.ask(entities.user(userId), UserActor.GetExport::new, askTimeout, system.scheduler())
            .thenCompose(data -> sealing.openItems(data.inbox()).thenApply(data::withInbox)))
        .flatMapConcat(data -> everything(userId, data))
        .map(line -> ByteString.fromString(WireFormat.render(line) + "\n"));
  }

  private Source<ObjectNode, NotUsed> everything(String userId, UserActor.ExportData data) {
    Set<String> listed = Set.copyOf(data.conversations());
    return Source.from(aboutTheUser(userId, data))
        .concat(groupConsent(userId))
        .concat(Source.completionStage(everIn(userId, data)).mapConcat(ids -> ids)
            .flatMapConcat(id -> receiptsGiven(userId, id, listed).concat(sentMessages(userId, id))))
        .concat(media.uploads(userId).map(UserExport::upload));
  }

  List<ObjectNode> aboutTheUser(String userId, UserActor.ExportData data) {
    List<ObjectNode> lines = new ArrayList<>();
    ObjectNode user = line("user").put("user_id", userId).put("exported_at", clock.millis());
    // 0 is a user who never connected: never seen, as presence says it, not the epoch.
    if (data.lastSeen() > 0) {
      user.put("last_seen", data.lastSeen());
    }
    lines.add(user);
    data.devices().forEach((deviceId, device) ->
        lines.add(line("device").put("device_id", deviceId).put("last_active_ts", device.lastActiveTs())
            .put("acked_cursor", device.ackedCursor())));
    data.pushTokens().forEach(token ->
        lines.add(line("push_token").put("platform", token.platform()).put("token", token.token())));
    for (InboxItem item : data.inbox()) {
      ObjectNode entry = line("inbox_entry");
      entry.setAll(WireFormat.inboxItem(item));
      lines.add(entry);
    }
    data.conversations().forEach(id -> lines.add(line("membership").put("conversation_id", id)));
    return lines;
  }

  /** Who may add the user to groups, if they chose, and the invites waiting for their answer. */
  private Source<ObjectNode, NotUsed> groupConsent(String userId) {
    CompletionStage<GroupConsent.GroupAddsChoice> chosen = OutcomeAsks.ask(entities.user(userId),
        GroupConsent.GroupAddsChoice.class, replyTo -> new GroupConsent.ChooseGroupAdds(null, null, replyTo),
        askTimeout, system.scheduler());
    CompletionStage<List<GroupConsent.Invite>> invites =
        Asks.ask(entities.user(userId), GroupConsent.GetInvites::new, askTimeout, system.scheduler())
            .thenCompose(waiting -> sealing.openInvites(waiting.invites()));
    return Source.completionStage(chosen.thenCombine(invites, (choice, waiting) -> {
      List<ObjectNode> lines = new ArrayList<>();
      if (choice.policy() != null) {
        lines.add(line("settings").put("group_adds", choice.policy().wire()));
      }
      waiting.forEach(invite -> lines.add(line("invite").setAll(WireFormat.invite(invite))));
      return lines;
    })).mapConcat(lines -> lines);
  }

  /** The conversations the user's entity knows, and those the member index adds (groups left long ago). */
  private CompletionStage<List<String>> everIn(String userId, UserActor.ExportData data) {
    return index.conversations(userId).thenApply(indexed -> {
      TreeSet<String> all = new TreeSet<>(data.conversations());
      all.addAll(indexed);
      return List.copyOf(all);
    });
  }

  /**
   * How far the user acked and read in the conversation; nothing if they are no longer a member.
   * A member of a conversation their entity does not list ({@code listed}: a large group, whose
   * members are rows) gets its membership line here.
   */
  private Source<ObjectNode, NotUsed> receiptsGiven(String userId, String conversationId, Set<String> listed) {
    return Source.completionStage(Asks.<ConversationActor.Command, Outcome<ConversationActor.ReceiptsGiven>>ask(
            entities.conversation(conversationId), replyTo -> new ConversationActor.GetReceiptsGiven(userId, replyTo),
            askTimeout, system.scheduler()))
        .mapConcat(outcome -> {
          if (!outcome.isOk() && outcome.reason() != Outcome.Reason.NOT_FOUND
              && outcome.reason() != Outcome.Reason.NOT_MEMBER) {
            throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message());
          }
          if (!outcome.isOk()) {
            return List.<ObjectNode>of();
          }
          ObjectNode receipts = line("receipts").put("conversation_id", conversationId)
              .put("delivered_seq", outcome.value().deliveredSeq()).put("read_seq", outcome.value().readSeq());
          return listed.contains(conversationId)
              ? List.of(receipts)
              : List.of(line("membership").put("conversation_id", conversationId), receipts);
        });
  }

  private static ObjectNode upload(MediaService.Upload upload) {
    return line("media").put("media_url", upload.mediaUrl()).put("size", upload.size())
        .put("uploaded_ts", upload.uploadedTs());
  }

  /**
   * The user's messages in one conversation, newest page first, each page ascending. Other
   * members' messages are skipped before anything is opened: an export opens only what it exports.
   * So are those of an erased account that had the same id: the user starts afresh.
   */
  private Source<ObjectNode, NotUsed> sentMessages(String userId, String conversationId) {
    return Source.unfoldAsync(Long.MAX_VALUE, beforeSeq -> beforeSeq == MessageHistory.Sent.NONE
            ? CompletableFuture.completedFuture(Optional.empty())
            : history.sentBy(userId, conversationId, beforeSeq, PAGE).thenApply(outcome -> next(outcome)))
        .mapAsync(1, sealing::openMessages)
        .mapConcat(messages -> messages)
        .map(message -> {
          ObjectNode line = WireFormat.message(message);
          line.put("type", "message");
          return line;
        });
  }

  private static Optional<Pair<Long, List<ChatMessage>>> next(Outcome<MessageHistory.Sent> outcome) {
    if (!outcome.isOk() && outcome.reason() != Outcome.Reason.NOT_FOUND) {
      // Cut the export short rather than leave messages out of it: the client retries.
      throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message());
    }
    if (!outcome.isOk()) {
      return Optional.empty(); // a conversation that was never started has no messages
    }
    return Optional.of(Pair.create(outcome.value().nextBefore(), outcome.value().messages()));
  }

  private static ObjectNode line(String type) {
    return WireFormat.frame(type, null);
  }
}
