package io.parley.conversation;

import io.parley.operations.Audit;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.MembersRemoved;
import io.parley.conversation.ConversationActor.PostingChanged;
import io.parley.conversation.ConversationActor.RemoveMembers;
import io.parley.conversation.ConversationActor.Rename;
import io.parley.conversation.ConversationActor.Renamed;
import io.parley.conversation.ConversationActor.RoleChanged;
import io.parley.conversation.ConversationActor.SetPosting;
import io.parley.conversation.ConversationActor.SetRole;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * What only those who run a group may do ({@link GroupRoles}): remove members, name admins, let
 * only admins post, rename it. Every change is announced to the members like a membership change,
 * so their devices learn it from {@code conversation.updated}.
 */
final class GroupAdmin {
  private final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final MembershipNotices notices;
  private final LargeMembers large;
  private final KnownMembers known;

  GroupAdmin(String conversationId, EffectFactories<Event, State> effects, MembershipNotices notices,
      LargeMembers large, KnownMembers known) {
    this.conversationId = conversationId;
    this.effects = effects;
    this.notices = notices;
    this.large = large;
    this.known = known;
  }

  Effect<Event, State> removeMembers(Active state, RemoveMembers cmd) {
    if (refusedToRemove(state, cmd)) {
      return effects.none();
    }
    List<String> removed = cmd.members().stream().distinct().filter(id -> state.isMember(id, known)).toList();
    if (removed.isEmpty()) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return effects.none();
    }
    return effects.persist(new MembersRemoved(removed)).thenRun((State newState) -> {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      notices.announce((Active) newState, removed);
    });
  }

  /** A large group's members are rows: {@link LargeMembers} removes them. */
  Effect<Event, State> removeMembersFromLarge(Active state, RemoveMembers cmd) {
    return refusedToRemove(state, cmd) ? effects.none() : large.change(state, cmd);
  }

  /** Whether {@code cmd} was refused (and answered so). */
  private boolean refusedToRemove(Active state, RemoveMembers cmd) {
    Outcome<Done> refused = refusal(state, cmd.requesterId(), state.mayManage(cmd.requesterId(), known),
        "remove members", "a direct conversation has fixed members: no one can be removed from it");
    if (refused == null && state.rolesOn && cmd.members().contains(state.owner)) {
      refused = Outcome.rejected(Reason.FORBIDDEN, "the owner of " + conversationId + " cannot be removed");
    }
    if (refused != null) {
      cmd.replyTo().tell(refused);
    }
    return refused != null;
  }

  /**
   * {@code alsoTold}: how the members hear of a change besides their user entities' notices (a
   * large group's connected members, through the relays).
   */
  Effect<Event, State> setRole(Active state, SetRole cmd, Consumer<Active> alsoTold) {
    boolean owner = state.rolesOn && cmd.requesterId().equals(state.owner);
    Outcome<Done> refused = withoutRoles(state,
        refusal(state, cmd.requesterId(), owner, "name admins", "a direct conversation has no roles"), "name admins");
    if (refused == null && !state.isMember(cmd.userId(), known)) {
      refused = ConversationActor.notMember(conversationId, cmd.userId());
    }
    if (refused == null && cmd.userId().equals(state.owner)) {
      refused = Outcome.rejected(Reason.BAD_REQUEST, "the owner is more than an admin already");
    }
    Audit.record(Audit.digest(cmd.requesterId()), "set role " + (cmd.admin() ? "admin" : "member"),
        Audit.digest(conversationId) + "/" + Audit.digest(cmd.userId()), refused == null ? "ok" : "refused");
    if (refused != null) {
      cmd.replyTo().tell(refused);
      return effects.none();
    }
    if (state.admins.contains(cmd.userId()) == cmd.admin()) {
      return reply(cmd.replyTo());
    }
    return changed(new RoleChanged(cmd.userId(), cmd.admin()), cmd.replyTo(), alsoTold);
  }

  Effect<Event, State> setPosting(Active state, SetPosting cmd, Consumer<Active> alsoTold) {
    Outcome<Done> refused = withoutRoles(state, refusal(state, cmd.requesterId(),
        state.rolesOn && state.mayManage(cmd.requesterId(), known), "choose who posts",
        "a direct conversation has no roles: both of its members always post"), "let only admins post");
    Audit.record(Audit.digest(cmd.requesterId()), "set posting " + (cmd.adminsOnly() ? "admins" : "everyone"),
        Audit.digest(conversationId), refused == null ? "ok" : "refused");
    if (refused != null) {
      cmd.replyTo().tell(refused);
      return effects.none();
    }
    if (state.adminsOnlyPosting == cmd.adminsOnly()) {
      return reply(cmd.replyTo());
    }
    return changed(new PostingChanged(cmd.adminsOnly()), cmd.replyTo(), alsoTold);
  }

  /**
   * The title the group has already (its sealed text, as a retried command carries it) or none
   * ({@code cmd.title()} null: the gateway found it is the title already) changes nothing and
   * tells no one, but is refused to whoever may not rename the group, as a change would be.
   */
  Effect<Event, State> rename(Active state, Rename cmd, Consumer<Active> alsoTold) {
    Outcome<Done> refused = refusal(state, cmd.requesterId(), state.mayManage(cmd.requesterId(), known),
        "rename it", "a direct conversation has no title to rename: each of its members sees the other's id");
    Audit.record(Audit.digest(cmd.requesterId()), "rename", Audit.digest(conversationId), refused == null ? "ok" : "refused");
    if (refused != null) {
      cmd.replyTo().tell(refused);
      return effects.none();
    }
    if (cmd.title() == null || cmd.title().equals(state.title)) {
      return reply(cmd.replyTo());
    }
    return changed(new Renamed(cmd.title()), cmd.replyTo(), alsoTold);
  }

  private Effect<Event, State> changed(Event event, ActorRef<Outcome<Done>> replyTo, Consumer<Active> alsoTold) {
    return effects.persist(event).thenRun((State newState) -> {
      replyTo.tell(Outcome.ok(Done.INSTANCE));
      notices.announce((Active) newState, List.of());
      alsoTold.accept((Active) newState);
    });
  }

  private Effect<Event, State> reply(ActorRef<Outcome<Done>> replyTo) {
    replyTo.tell(Outcome.ok(Done.INSTANCE));
    return effects.none();
  }

  /**
   * A group from before roles has no owner or admins: what only they may do is no one's to do
   * there, a request that cannot apply (as in a direct conversation) rather than one refused to
   * this member, as every member manages such a group otherwise.
   */
  private Outcome<Done> withoutRoles(Active state, Outcome<Done> refused, String doing) {
    if (refused != null && refused.reason() == Reason.FORBIDDEN && !state.rolesOn) {
      return Outcome.rejected(Reason.BAD_REQUEST, conversationId + " was created before roles: it has no owner or"
          + " admins, so no one may " + doing + "; every member adds, removes and renames");
    }
    return refused;
  }

  /**
   * Null when {@code requesterId} may: a member of a group whose roles allow {@code doing}. In a
   * direct conversation no one may, for the reason {@code notInDirect} gives.
   */
  private Outcome<Done> refusal(Active state, String requesterId, boolean allowed, String doing, String notInDirect) {
    if (!state.isMember(requesterId, known)) {
      return ConversationActor.notMember(conversationId, requesterId);
    }
    if (state.title == null) {
      return Outcome.rejected(Reason.BAD_REQUEST, notInDirect);
    }
    if (!allowed) {
      return Outcome.rejected(Reason.FORBIDDEN, "only the owner" + (doing.equals("name admins") ? "" : " or an admin")
          + " of " + conversationId + " may " + doing);
    }
    return null;
  }
}
