package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationIds;
import io.parley.conversation.NeverStored;
import io.parley.conversation.StoredConversations;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Keeps requests about conversations that never stored anything away from their entities. Any
 * message to a sharded entity starts it (remembered, recovered, ticking until it sleeps), so a
 * client naming random ids would fill the cluster with them. The requester's own user entity
 * cannot tell instead: its inbox keeps 1,000 conversations, no large group, and learns of a new
 * one only after the creation or the first message is answered. The journal can: a conversation
 * exists once its first event is stored, before any answer says so. So an id this node has not
 * seen exist is looked up there ({@link StoredConversations}: a few small reads, the start of what a
 * recovery reads), and one that exists is remembered here, as it never stops existing.
 */
final class ConversationGate {
  private final StoredConversations stored;
  private final Map<String, Boolean> known;
  /** One look-up per id at a time: requests for the same unknown id share it. */
  private final Map<String, CompletableFuture<Boolean>> lookups = new ConcurrentHashMap<>();

  /** {@code remembered}: how many existing conversations this node remembers, the least recently used forgotten. */
  ConversationGate(StoredConversations stored, int remembered) {
    this.stored = stored;
    this.known = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > remembered;
      }
    };
  }

  /** Every conversation may exist: each request goes to its entity (tests of other things). */
  static ConversationGate open() {
    return new ConversationGate(StoredConversations.ANY, 0);
  }

  /** Whether this node knows the conversation exists, so that {@link #exists} costs nothing. */
  boolean knows(String conversationId) {
    synchronized (known) {
      return known.get(conversationId) != null;
    }
  }

  /** True if the conversation exists; false if it never stored anything. Fails with {@code unavailable}. */
  CompletionStage<Boolean> exists(String conversationId) {
    if (knows(conversationId)) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> mine = new CompletableFuture<>();
    CompletableFuture<Boolean> running = lookups.putIfAbsent(conversationId, mine);
    if (running != null) {
      return running;
    }
    stored.exists(conversationId).whenComplete((exists, failure) -> {
      if (failure == null && exists) {
        remember(conversationId);
      }
      lookups.remove(conversationId, mine);
      if (failure != null) {
        mine.completeExceptionally(new ApiError(ErrorCode.UNAVAILABLE, "could not read " + conversationId + "; retry"));
      } else {
        mine.complete(exists);
      }
    });
    return mine;
  }

  /**
   * {@code entity} asks the conversation's entity, if the conversation exists; one that never
   * stored anything answers {@code never} instead (see {@link NeverStored}), and no entity starts.
   */
  <T> CompletionStage<T> ifStored(
      String conversationId, Supplier<CompletionStage<T>> entity, Supplier<Outcome<T>> never) {
    return exists(conversationId).thenCompose(exists -> exists
        ? entity.get()
        : CompletableFuture.completedFuture(ChatService.valueOrThrow(never.get())));
  }

  /**
   * {@link #ifStored}, for a request only a member may make: a direct conversation whose id does
   * not name {@code userId} is not theirs, stored or not, and they are refused {@code not_member}
   * at once, with no look-up and no entity started. Any two user ids make a direct id, so a
   * client could otherwise wake every stored direct conversation it can name, and keep them awake.
   */
  <T> CompletionStage<T> ifMember(
      String userId, String conversationId, Supplier<CompletionStage<T>> entity, Supplier<Outcome<T>> never) {
    return strangerToDirect(userId, conversationId)
        ? refused(userId, conversationId)
        : ifStored(conversationId, entity, never);
  }

  private static boolean strangerToDirect(String userId, String conversationId) {
    return ConversationIds.isDirect(conversationId) && ConversationIds.directMembers(conversationId, userId).isEmpty();
  }

  private static <T> CompletionStage<T> refused(String userId, String conversationId) {
    Outcome<T> refusal = NeverStored.refusal(conversationId, userId);
    return CompletableFuture.failedFuture(new ApiError(ErrorCode.of(refusal.reason()), refusal.message()));
  }

  /**
   * A send may start a direct conversation of the sender's; to any other it goes only if the
   * conversation exists, else it is refused as the conversation's empty entity would refuse it
   * (a direct one's stranger at once, see {@link #ifMember}).
   */
  CompletionStage<Void> sendable(String userId, String conversationId) {
    if (ConversationIds.directMembers(conversationId, userId).isPresent()) {
      return CompletableFuture.completedFuture(null);
    }
    if (strangerToDirect(userId, conversationId)) {
      return refused(userId, conversationId);
    }
    return exists(conversationId).thenAccept(exists -> {
      if (!exists) {
        ChatService.valueOrThrow(NeverStored.refusal(conversationId, userId));
      }
    });
  }

  /** The conversation was just stored (a group created, a direct conversation's first message). */
  void remember(String conversationId) {
    synchronized (known) {
      known.put(conversationId, Boolean.TRUE);
    }
  }
}
