package io.parley.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.MessageHistory;
import io.parley.user.InboxItem;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /v1/me/export}: everything Parley holds about the caller, as JSON lines. The user's
 * entity gives devices, push tokens, inbox entries (with read marks) and conversations; then
 * every message the user sent is read page by page from each conversation's history (hot and
 * cold tiers alike), so memory stays bounded by one page however many messages there are.
 */
final class UserExport {
  /** Messages read per history page. */
  static final int PAGE = 200;

  private final Entities entities;
  private final MessageHistory history;
  private final Duration askTimeout;
  private final ActorSystem<?> system;
  private final ContentSealing sealing;
  private final Clock clock;

  UserExport(Entities entities, MessageHistory history, ContentSealing sealing, Duration askTimeout,
      ActorSystem<?> system, Clock clock) {
    this.sealing = sealing;
    this.entities = entities;
    this.history = history;
    this.askTimeout = askTimeout;
    this.system = system;
    this.clock = clock;
  }

  Source<ByteString, NotUsed> lines(String userId) {
    return Source.completionStage(AskPattern.ask(entities.user(userId), UserActor.GetExport::new, askTimeout, system.scheduler())
            .thenCompose(data -> sealing.openItems(data.inbox()).thenApply(data::withInbox)))
        .flatMapConcat(data -> Source.from(aboutTheUser(userId, data))
            .concat(Source.from(data.conversations()).flatMapConcat(id -> sentMessages(userId, id))))
        .map(line -> ByteString.fromString(WireFormat.render(line) + "\n"));
  }

  private List<ObjectNode> aboutTheUser(String userId, UserActor.ExportData data) {
    List<ObjectNode> lines = new ArrayList<>();
    lines.add(line("user").put("user_id", userId).put("exported_at", clock.millis()).put("last_seen", data.lastSeen()));
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

  /** The user's messages in one conversation, newest page first, each page ascending. */
  private Source<ObjectNode, NotUsed> sentMessages(String userId, String conversationId) {
    return Source.unfoldAsync(Long.MAX_VALUE, beforeSeq -> beforeSeq <= 1
            ? CompletableFuture.completedFuture(Optional.empty())
            : history.page(null, conversationId, beforeSeq, PAGE).thenApply(outcome -> next(outcome)))
        .mapAsync(1, sealing::openMessages)
        .mapConcat(messages -> messages)
        .filter(message -> message.senderId().equals(userId))
        .map(message -> {
          ObjectNode line = WireFormat.message(message);
          line.put("type", "message");
          return line;
        });
  }

  private static Optional<Pair<Long, List<ChatMessage>>> next(Outcome<MessageHistory.Page> outcome) {
    if (!outcome.isOk() && outcome.reason() != Outcome.Reason.NOT_FOUND) {
      // Cut the export short rather than leave messages out of it: the client retries.
      throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message());
    }
    if (!outcome.isOk() || outcome.value().messages().isEmpty()) {
      return Optional.empty(); // a conversation that was never started has no messages
    }
    List<ChatMessage> messages = outcome.value().messages();
    long nextBefore = outcome.value().hasMore() ? messages.get(0).seq() : 1;
    return Optional.of(Pair.create(nextBefore, messages));
  }

  private static ObjectNode line(String type) {
    return WireFormat.frame(type, null);
  }
}
