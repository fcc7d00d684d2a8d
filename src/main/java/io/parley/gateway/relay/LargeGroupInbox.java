package io.parley.gateway.relay;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.gateway.Entities;
import io.parley.user.DeviceEvent;
import io.parley.user.InboxCursor;
import io.parley.user.InboxItem;
import io.parley.user.InboxPreview;
import io.parley.user.UserActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The large groups of a user's inbox. Their user entity is told nothing per message, so each
 * entry is read from its group when shown: the newest message, and as unread every seq after the
 * member's read mark (their own messages move it, so they never count).
 */
public final class LargeGroupInbox {
  private final Entities entities;
  private final KnownLargeGroups known;
  private final Duration timeout;
  private final ActorSystem<?> system;

  public LargeGroupInbox(Entities entities, KnownLargeGroups known, Duration timeout, ActorSystem<?> system) {
    this.entities = entities;
    this.known = known;
    this.timeout = timeout;
    this.system = system;
  }

  /** The user entity's page with the large groups merged in: newest first, a large group's own entry winning. */
  public CompletionStage<List<InboxItem>> merge(String userId, List<InboxItem> kept, int limit, InboxCursor cursor) {
    return items(userId).thenApply(large -> {
      Map<String, InboxItem> byId = new LinkedHashMap<>();
      kept.forEach(item -> byId.put(item.conversationId(), item));
      large.stream()
          .filter(item -> cursor.admits(item.lastMessageTs(), item.conversationId()))
          .forEach(item -> byId.put(item.conversationId(), item));
      if (large.isEmpty()) {
        return kept;
      }
      return byId.values().stream()
          .sorted(Comparator.comparingLong(InboxItem::lastMessageTs).reversed()
              .thenComparing(InboxItem::conversationId))
          .limit(limit)
          .toList();
    });
  }

  private CompletionStage<List<InboxItem>> items(String userId) {
    return known.of(userId).thenCompose(groups -> {
      List<CompletableFuture<Outcome<ConversationActor.Summary>>> asked = new ArrayList<>();
      for (String group : groups) {
        asked.add(Asks.<ConversationActor.Command, Outcome<ConversationActor.Summary>>ask(
            entities.conversation(group), replyTo -> new ConversationActor.GetSummary(userId, replyTo),
            timeout, system.scheduler()).toCompletableFuture());
      }
      return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(all -> asked.stream()
          .map(CompletableFuture::join)
          .filter(Outcome::isOk) // a group just left
          .map(outcome -> item(userId, outcome.value()))
          .toList());
    });
  }

  private static InboxItem item(String userId, ConversationActor.Summary summary) {
    var info = summary.info();
    var last = summary.lastMessage();
    // No message the member may read (none yet, or all from before they joined): no preview, as in a small group.
    InboxPreview preview = last == null ? new InboxPreview(null, null) : InboxPreview.of(last);
    long after = summary.unread() != null ? summary.unread() : info.lastSeq() - summary.readSeq();
    int unread = (int) Math.min(Integer.MAX_VALUE, Math.max(0, after));
    return new InboxItem(info.conversationId(), info.titleFor(userId), List.of(), info.lastSeq(), preview.text(),
        last == null ? null : last.senderId(), last == null ? 0 : last.serverTs(), unread, preview.keyId());
  }

  /**
   * A read in a large group: its member's row holds the mark. Answered once stored; then the
   * member's devices are told the entry as it now reads (inbox.update), as a small group's read
   * tells them, though no user entity keeps it, unless the read changed nothing the entry shows
   * (the mark was already there): the entry is read before too. A small conversation is asked
   * here too when the user's inbox no longer keeps it: it sends the read receipts, and no entry
   * is shown.
   */
  public CompletionStage<Done> markRead(String userId, String conversationId, long seq) {
    return summary(userId, conversationId)
        .thenCompose(before -> Asks.<ConversationActor.Command, Outcome<Done>>ask(entities.conversation(conversationId),
                replyTo -> new ConversationActor.MarkRead(userId, seq, replyTo), timeout, system.scheduler())
            .thenApply(outcome -> {
              if (!outcome.isOk()) {
                throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message());
              }
              tellEntry(userId, conversationId, before);
              return outcome.value();
            }));
  }

  /** The entry a large group shows the user now; null if it is no large group of theirs (or cannot be read). */
  private CompletionStage<InboxItem> summary(String userId, String conversationId) {
    return Asks.<ConversationActor.Command, Outcome<ConversationActor.Summary>>ask(entities.conversation(conversationId),
            replyTo -> new ConversationActor.GetSummary(userId, replyTo), timeout, system.scheduler())
        .handle((summary, failure) -> failure == null && summary.isOk() && summary.value().info().large()
            ? item(userId, summary.value()) : null); // a small group's entry is its user entity's
  }

  /**
   * Tells the member's connected devices the group's entry if it differs from {@code before};
   * one that cannot be read now is not told.
   */
  private void tellEntry(String userId, String conversationId, InboxItem before) {
    summary(userId, conversationId).thenAccept(item -> {
      if (item != null && !item.equals(before)) {
        entities.user(userId).tell(new UserActor.Notify(new DeviceEvent.InboxUpdate(item)));
      }
    });
  }
}
