package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import java.util.List;

/**
 * What a conversation that has stored nothing answers, without its entity: the answers its empty
 * state gives (see {@link Membership} and {@code ConversationActor.WHEN_EMPTY}), so a client cannot
 * tell whether the gateway or the entity answered. A direct conversation's two members read an
 * empty one; anyone else is not a member of a direct conversation, and finds no group; a change
 * or deletion finds no conversation at all.
 */
public final class NeverStored {
  private NeverStored() {}

  /** A change that needs the conversation to exist: a deletion, a group change, a leave. */
  public static <T> Outcome<T> notFound(String conversationId) {
    return Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId);
  }

  /** A read, or a send, by someone who is not one of a direct conversation's two members. */
  public static <T> Outcome<T> refusal(String conversationId, String userId) {
    return ConversationIds.isDirect(conversationId)
        ? ConversationActor.notMember(conversationId, userId)
        : notFound(conversationId);
  }

  /** A history page: empty for a direct conversation's member. */
  public static Outcome<MessageHistory.Page> history(String conversationId, String userId) {
    return ConversationIds.directMembers(conversationId, userId).isPresent()
        ? Outcome.ok(new MessageHistory.Page(List.of(), false))
        : refusal(conversationId, userId);
  }

  /** A page of members: a direct conversation's two, for one of them. */
  public static Outcome<ConversationActor.MemberPage> members(
      String conversationId, String userId, String after, int limit) {
    return ConversationIds.directMembers(conversationId, userId)
        .map(members -> Outcome.ok(Membership.page(members, new ConversationActor.GetMembers(userId, after, limit, null),
            member -> "member")))
        .orElseGet(() -> refusal(conversationId, userId));
  }

  /** Typing, told to no one: no refusal for a direct conversation's member, who may start it. */
  public static Outcome<Done> typing(String conversationId, String userId) {
    return ConversationIds.directMembers(conversationId, userId).isPresent()
        ? Outcome.ok(Done.INSTANCE)
        : refusal(conversationId, userId);
  }

  /** A read mark in a conversation that holds nothing: as the empty entity answers, not a member. */
  public static <T> Outcome<T> read(String conversationId, String userId) {
    return ConversationActor.notMember(conversationId, userId);
  }
}
