package io.parley.user;

import io.parley.cluster.Asks;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.conversation.Conversations;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Member lists the inbox does not keep (beyond its budget, see {@link Inbox}), read from their
 * conversations when they are needed: for the items a device is shown, and to learn whether a
 * presence subscriber shares one of those conversations. Nothing is cached: an inbox over its
 * budget is rare (hundreds of large groups), and each read is one ask.
 */
final class MemberLists {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Conversations conversations;
  private final ActorSystem<?> system;

  MemberLists(Conversations conversations, ActorSystem<?> system) {
    this.conversations = conversations;
    this.system = system;
  }

  /** The items with their members, each read from its conversation unless the item has them. */
  CompletionStage<List<InboxItem>> complete(List<InboxItem> items) {
    List<CompletableFuture<InboxItem>> completed = items.stream()
        .map(item -> complete(item).toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(completed.toArray(CompletableFuture[]::new))
        .thenApply(done -> completed.stream().map(CompletableFuture::join).toList());
  }

  CompletionStage<InboxItem> complete(InboxItem item) {
    if (item.members() != null) {
      return CompletableFuture.completedFuture(item);
    }
    return info(item.conversationId(), null).thenApply(info -> withMembers(item, info));
  }

  /** Answers with the page once the members the inbox does not keep are read (or that failed). */
  void page(List<InboxItem> items, ActorRef<Outcome<UserActor.InboxPage>> replyTo) {
    complete(items).whenComplete((page, failure) -> replyTo.tell(failure == null
        ? Outcome.ok(new UserActor.InboxPage(page))
        : Outcome.rejected(Outcome.Reason.UNAVAILABLE, "could not read the inbox's member lists; retry")));
  }

  /** A group's title is kept with its members, or else read with them (see {@link Inbox.Entry}). */
  static InboxItem withMembers(InboxItem item, ConversationInfo info) {
    return new InboxItem(item.conversationId(), item.title() != null ? item.title() : info.title(), info.members(),
        item.lastSeq(),
        item.lastMessagePreview(), item.lastSenderId(), item.lastMessageTs(), item.unreadCount(), item.previewKeyId());
  }

  /**
   * Whether {@code userId} is a member of one of {@code conversationIds}: each is asked with the
   * membership check, which answers a non-member with a refusal and no list. A conversation that
   * does not answer counts as not shared.
   */
  CompletionStage<Boolean> anyHasMember(List<String> conversationIds, String userId) {
    CompletableFuture<Boolean> shares = new CompletableFuture<>();
    AtomicInteger left = new AtomicInteger(conversationIds.size());
    if (conversationIds.isEmpty()) {
      shares.complete(false);
    }
    for (String conversationId : conversationIds) {
      info(conversationId, userId).whenComplete((info, failure) -> {
        if (failure == null) {
          shares.complete(true);
        } else if (left.decrementAndGet() == 0) {
          shares.complete(false);
        }
      });
    }
    return shares;
  }

  /** The conversation's info; {@code userId} non-null must be a member (else it fails). */
  private CompletionStage<ConversationInfo> info(String conversationId, String userId) {
    return info(conversationId, userId, TIMEOUT);
  }

  /** As {@link #info(String, String)}, failing if it does not come within {@code timeout}. */
  CompletionStage<ConversationInfo> info(String conversationId, String userId, Duration timeout) {
    CompletionStage<Outcome<ConversationInfo>> answer = Asks.ask(conversations.conversation(conversationId),
        replyTo -> new ConversationActor.GetInfo(userId, replyTo), timeout, system.scheduler());
    return answer.thenApply(outcome -> {
      if (!outcome.isOk()) {
        throw new IllegalStateException(conversationId + ": " + outcome);
      }
      return outcome.value();
    });
  }
}
