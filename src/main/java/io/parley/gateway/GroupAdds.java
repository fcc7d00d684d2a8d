package io.parley.gateway;

import io.parley.api.ApiError;
import io.parley.api.ErrorCode;
import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationInfo;
import io.parley.operations.Audit;
import io.parley.privacy.ContentSealing;
import io.parley.user.DeviceEvent;
import io.parley.user.GroupAddPolicy;
import io.parley.user.GroupConsent;
import io.parley.user.GroupConsentSettings;
import io.parley.user.UserActor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds members to a group with their consent (issue 39). First the requester's daily quota of
 * groups created and members added is spent, the whole request or nothing; then each id's user
 * entity says whether the requester may add them directly ({@link GroupAddPolicy}); the group is
 * changed with those, and the others are invited. An id no one uses answers like any other, so
 * the requester learns only who was added and who invited, never which ids exist. A request that
 * fails before the group changed gives the quota back (sent again while the journal refuses it),
 * and nobody is invited.
 */
public final class GroupAdds {
  private static final Logger log = LoggerFactory.getLogger(GroupAdds.class);

  /** What the group answered, and who was invited rather than added. */
  public record Added<T>(T value, List<String> invited) {}

  private final Entities entities;
  private final GroupConsentSettings settings;
  private final ContentSealing sealing;
  private final Duration timeout;
  private final ActorSystem<?> system;
  private final Clock clock;

  GroupAdds(Entities entities, GroupConsentSettings settings, ContentSealing sealing, Duration timeout,
      ActorSystem<?> system, Clock clock) {
    this.entities = entities;
    this.settings = settings;
    this.sealing = sealing;
    this.timeout = timeout;
    this.system = system;
    this.clock = clock;
  }

  /**
   * {@code change} gets the ids that may be added directly (in the request's order) and changes
   * the group {@code conversationId}; {@code title} names the group for the invites, as the group
   * keeps it (null: asked of the group).
   */
  <T> CompletionStage<Added<T>> add(String requesterId, String conversationId, boolean creates, List<String> ids,
      Function<List<String>, CompletionStage<T>> change, Function<T, String> title) {
    List<String> others = ids.stream().distinct().filter(id -> !id.equals(requesterId)).toList();
    int groups = creates ? 1 : 0;
    AtomicBoolean changed = new AtomicBoolean();
    return spend(requesterId, groups, others.size())
        .thenCompose(day -> answersOf(requesterId, creates ? null : conversationId, others)
        .thenCompose(answers -> change.apply(ids.stream().filter(id -> !answers.invited().contains(id)).toList())
            .thenCompose(value -> {
              changed.set(true);
              return invite(requesterId, conversationId, answers.invited(), title.apply(value))
                  .thenCompose(invitedNow -> dropInvitesOfJoined(conversationId, answers.holdingInvites())
                      .thenApply(dropped -> new Added<>(value, invitedNow)));
            }))
        .whenComplete((added, failure) -> {
          if (failure != null && !changed.get()) {
            giveBack(requesterId, groups, others.size(), day);
          }
        }));
  }

  /**
   * Those added directly who held an invite to the group are members now: the invite is dropped
   * and their devices told ({@link #revoke}), so that none shows an invite to a group the user is
   * in. Only they are asked (their entities said so), not everyone added. One that cannot be
   * dropped now stays (accepting it changes nothing): the addition is done all the same.
   */
  private CompletionStage<Done> dropInvitesOfJoined(String conversationId, List<String> holding) {
    return revoke(conversationId, holding).exceptionally(failure -> {
      log.warn("Could not drop the invites of members added to {}: {}", Audit.digest(conversationId),
          failure.toString());
      return Done.INSTANCE;
    });
  }

  /** Spends from the quota; fails with {@code rate_limited} (until the next UTC day) if it would pass it. */
  private CompletionStage<Long> spend(String requesterId, int groups, int members) {
    return OutcomeAsks.ask(entities.user(requesterId), GroupConsent.QuotaAnswer.class,
            replyTo -> new GroupConsent.SpendGroupQuota(groups, members, settings.groupsPerDay(),
                settings.membersPerDay(), 0, replyTo), timeout, system.scheduler())
        .thenApply(answer -> {
          if (!answer.granted()) {
            throw new ApiError(ErrorCode.RATE_LIMITED, answer.refusal(), answer.retryAfterMs());
          }
          return answer.day();
        });
  }

  /**
   * Re-sends of a give-back the user's entity refused: the first 1 s after the refusal, each next
   * one waiting twice as long, so 6 end about a minute after the first refusal. A refusal lasting
   * that long is a full disk an operator must free, and what is lost then is at most this request's
   * quota, until the next UTC day; re-sending longer would only add writes to a store refusing them.
   */
  private static final int RESENDS = 6;
  private static final Duration FIRST_RESEND = Duration.ofSeconds(1);

  private void giveBack(String requesterId, int groups, int members, long day) {
    if (groups > 0 || members > 0) {
      giveBack(requesterId, groups, members, day, 0);
    }
  }

  /**
   * Sent again only when the entity says the journal refused it, so it was not stored; no answer
   * (a timeout, or an entity of an earlier version, which answers a give-back nothing) is taken as
   * done, since it may have been stored and giving back twice would grant more than the day's quota.
   */
  private void giveBack(String requesterId, int groups, int members, long day, int resent) {
    Asks.<UserActor.Command, Outcome<GroupConsent.QuotaAnswer>>ask(entities.user(requesterId),
            replyTo -> new GroupConsent.SpendGroupQuota(-groups, -members, settings.groupsPerDay(),
                settings.membersPerDay(), day, replyTo), timeout, system.scheduler())
        .whenComplete((outcome, failure) -> {
          if (failure != null || outcome.reason() != Outcome.Reason.UNAVAILABLE) {
            return;
          }
          if (resent == RESENDS) {
            log.warn("Gave up giving back the group quota of {} after {} refused writes: {}",
                Audit.digest(requesterId), resent + 1, outcome.message());
            return;
          }
          system.scheduler().scheduleOnce(FIRST_RESEND.multipliedBy(1L << resent),
              () -> giveBack(requesterId, groups, members, day, resent + 1), system.executionContext());
        });
  }

  /**
   * What the users' entities answered: {@code invited}, the ids that may not be added directly (in
   * the request's order); {@code holdingInvites}, those added directly who hold an invite to the
   * group, which the addition makes moot.
   */
  private record Answers(Set<String> invited, List<String> holdingInvites) {}

  /** Each user's entity decides; {@code conversationId} null: a new group, to which no one holds an invite. */
  private CompletionStage<Answers> answersOf(String requesterId, String conversationId, List<String> others) {
    List<CompletableFuture<GroupConsent.AddAnswer>> answers = others.stream()
        .map(id -> Asks.<UserActor.Command, GroupConsent.AddAnswer>ask(entities.user(id),
                replyTo -> new GroupConsent.MayAdd(requesterId, settings.byDefault(), replyTo, conversationId), timeout,
                system.scheduler())
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(all -> {
      Set<String> invited = new LinkedHashSet<>();
      List<String> holdingInvites = new ArrayList<>();
      for (int i = 0; i < others.size(); i++) {
        GroupConsent.AddAnswer answer = answers.get(i).join();
        if (!answer.direct()) {
          invited.add(others.get(i));
        } else if (answer.holdsInvite()) {
          holdingInvites.add(others.get(i));
        }
      }
      return new Answers(invited, holdingInvites);
    });
  }

  /**
   * Invites {@code invited} to the group, but not those already in it: the addition changes
   * nothing for them, whoever may add them. Answers who was invited. {@code title} null: a group
   * that was there before, asked for its title and members.
   */
  private CompletionStage<List<String>> invite(String requesterId, String conversationId, Set<String> invited,
      String title) {
    if (invited.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    CompletionStage<ConversationInfo> group = title != null
        ? CompletableFuture.completedFuture(new ConversationInfo(conversationId, title, List.of(), 0))
        : this.<ConversationActor.Command, ConversationInfo>ask(entities.conversation(conversationId),
            replyTo -> new ConversationActor.GetInfo(requesterId, replyTo));
    return group.thenCompose(info -> notMembers(conversationId, info, invited).thenCompose(toInvite -> {
      if (toInvite.isEmpty()) {
        return CompletableFuture.completedFuture(toInvite);
      }
      return sealing.inviteTitle(conversationId, info.title()).thenCompose(inviteTitle -> {
        GroupConsent.Invite invite = new GroupConsent.Invite(conversationId, inviteTitle, requesterId, clock.millis());
        List<CompletableFuture<Done>> stored = new ArrayList<>();
        for (String id : toInvite) {
          stored.add(receiveInvite(id, invite).toCompletableFuture());
        }
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).thenApply(all -> toInvite);
      });
    }));
  }

  /**
   * Those of {@code ids} not in the group: a small group lists its members; a large one lists none,
   * so each is asked of it (answered for a member only). One that cannot be asked counts as not in it.
   */
  private CompletionStage<List<String>> notMembers(String conversationId, ConversationInfo info, Set<String> ids) {
    if (!info.large()) {
      return CompletableFuture.completedFuture(ids.stream().filter(id -> !info.members().contains(id)).toList());
    }
    List<CompletableFuture<Boolean>> member = ids.stream()
        .map(id -> Asks.<ConversationActor.Command, Outcome<ConversationInfo>>ask(entities.conversation(conversationId),
                replyTo -> new ConversationActor.GetInfo(id, replyTo), timeout, system.scheduler())
            .thenApply(Outcome::isOk).exceptionally(failure -> false).toCompletableFuture())
        .toList();
    List<String> asked = List.copyOf(ids);
    return CompletableFuture.allOf(member.toArray(CompletableFuture[]::new)).thenApply(all ->
        IntStream.range(0, asked.size()).filter(i -> !member.get(i).join()).mapToObj(asked::get).toList());
  }

  /**
   * Answers the user's invite to {@code conversationId}: accepting takes the invite, then adds them
   * to the group as their inviter (who must still be allowed to add members); declining drops it.
   * Taken first, so that an accept and a decline at once cannot both pass: the other finds none.
   */
  CompletionStage<GroupConsent.Invite> answer(String userId, String conversationId, boolean accept) {
    if (!accept) {
      return findInvite(userId, conversationId, true);
    }
    return findInvite(userId, conversationId, true)
        .thenCompose(invite -> this.<ConversationActor.Command, Done>ask(entities.conversation(conversationId),
                replyTo -> new ConversationActor.AddMembers(invite.inviterId(), List.of(userId), replyTo))
            .handle((joined, refused) -> refused == null
                ? CompletableFuture.completedFuture(invite)
                : refusedToJoin(userId, invite, ApiError.from(refused)))
            .thenCompose(Function.identity()));
  }

  /**
   * The group refused the inviter's addition. An inviter who may no longer add anyone (a member
   * no more, or no longer an admin) makes the invite dead: it stays gone, so it is not listed and
   * refused again at every try, and every device of the user, which may show it, is told it was
   * revoked. Otherwise (a full group, a failure to retry) the invite is given back (shown again),
   * and the refusal is told.
   */
  private CompletionStage<GroupConsent.Invite> refusedToJoin(String userId, GroupConsent.Invite invite, ApiError error) {
    boolean dead = error.code == ErrorCode.NOT_MEMBER || error.code == ErrorCode.FORBIDDEN;
    ApiError told = dead
        ? new ApiError(error.code, "the invite to " + invite.conversationId() + " no longer holds: " + error.getMessage())
        : error.code == ErrorCode.UNAVAILABLE || error.code == ErrorCode.INTERNAL ? error
        : new ApiError(error.code, "the group " + invite.conversationId() + " cannot take you now, so your invite is kept: "
            + error.getMessage());
    if (dead) {
      entities.user(userId).tell(new UserActor.Notify(new DeviceEvent.InviteRevoked(invite.conversationId())));
    }
    CompletionStage<?> kept = dead ? CompletableFuture.completedFuture(null) : receiveInvite(userId, invite);
    return kept.<GroupConsent.Invite>handle((done, failure) -> {
      throw told;
    });
  }

  /**
   * Drops each of {@code ids}' invite to {@code conversationId}, if they have one: an owner or admin
   * removed them, so they may no longer join by it (a later accept is not_found), or added them,
   * so they are in it already. Each one who had
   * one is told on every device, which may show it. Done once every invite is gone; one of them
   * that has none is done at once.
   */
  CompletionStage<Done> revoke(String conversationId, List<String> ids) {
    List<CompletableFuture<Done>> dropped = ids.stream().distinct()
        .map(id -> findInvite(id, conversationId, true).handle((invite, failure) -> {
              if (failure != null && ApiError.from(failure).code != ErrorCode.NOT_FOUND) {
                throw ApiError.from(failure);
              }
              if (failure == null) {
                entities.user(id).tell(new UserActor.Notify(new DeviceEvent.InviteRevoked(conversationId)));
              }
              return Done.INSTANCE;
            })
            .toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(dropped.toArray(CompletableFuture[]::new)).thenApply(all -> Done.INSTANCE);
  }

  /** Stores {@code invite} for {@code userId}, shown to their devices. */
  private CompletionStage<Done> receiveInvite(String userId, GroupConsent.Invite invite) {
    return OutcomeAsks.ask(entities.user(userId), Done.class,
        replyTo -> new GroupConsent.ReceiveInvite(invite, replyTo), timeout, system.scheduler());
  }

  private CompletionStage<GroupConsent.Invite> findInvite(String userId, String conversationId, boolean drop) {
    return ask(entities.user(userId), replyTo -> new GroupConsent.FindInvite(conversationId, drop, replyTo));
  }

  CompletionStage<List<GroupConsent.Invite>> invites(String userId) {
    return Asks.<UserActor.Command, GroupConsent.Invites>ask(entities.user(userId),
        GroupConsent.GetInvites::new, timeout, system.scheduler()).thenApply(GroupConsent.Invites::invites);
  }

  /** Chooses who may add the user ({@code policy} null: only asks); answers the policy in force. */
  CompletionStage<GroupAddPolicy> choose(String userId, GroupAddPolicy policy) {
    return OutcomeAsks.ask(entities.user(userId), GroupConsent.GroupAddsChoice.class,
            replyTo -> new GroupConsent.ChooseGroupAdds(policy, settings.byDefault(), replyTo), timeout,
            system.scheduler())
        .thenApply(GroupConsent.GroupAddsChoice::policy);
  }

  private <C, T> CompletionStage<T> ask(RecipientRef<C> entity, Function<ActorRef<Outcome<T>>, C> command) {
    return Asks.ask(entity, command::apply, timeout, system.scheduler()).thenApply(outcome -> {
      if (!outcome.isOk()) {
        throw new ApiError(ErrorCode.of(outcome.reason()), outcome.message());
      }
      return outcome.value();
    });
  }
}
