package io.parley.user;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.parley.cluster.Done;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * Consent to groups, decided in the user's entity (issue 39): whether someone may add the user to
 * a group directly ({@link GroupAddPolicy}), the invites of those who may not (kept until answered,
 * shown to every device when they arrive and again whenever a device connects), and the user's
 * own daily quota of groups created and members added. The gateway asks these before it changes
 * a group ({@code gateway.GroupAdds}).
 */
public final class GroupConsent {
  /**
   * Invites kept per user (the oldest goes beyond it): with the start of the title each keeps
   * ({@link #startOfTitle}) they keep the snapshot small.
   */
  public static final int MAX_INVITES = 20;
  static final long DAY_MS = Duration.ofDays(1).toMillis();

  // ---------------------------------------------------------------------------------- commands

  /**
   * May {@code requesterId} add this user to a group directly? {@code byDefault}: the node's, if the
   * user chose none. {@code conversationId}: the group, when it was there before (null for a new
   * one), so the answer can say whether the user holds an invite to it.
   */
  public record MayAdd(String requesterId, GroupAddPolicy byDefault, ActorRef<AddAnswer> replyTo,
      @JsonInclude(JsonInclude.Include.NON_NULL) String conversationId) implements UserActor.ConsentCommand {
    public MayAdd(String requesterId, GroupAddPolicy byDefault, ActorRef<AddAnswer> replyTo) {
      this(requesterId, byDefault, replyTo, null);
    }
  }

  /**
   * {@code direct}: added at once; otherwise invited. {@code holdsInvite}: the user holds an invite
   * to the group asked about, which an addition makes moot (false from earlier versions, which do
   * not say: their invite then stays).
   */
  public record AddAnswer(boolean direct, boolean holdsInvite) implements JsonSerializable {
    public AddAnswer(boolean direct) {
      this(direct, false);
    }
  }

  /** {@code inviterId} asked to add the user to {@code conversationId}: kept until answered. */
  public record Invite(String conversationId, String title, String inviterId, long ts) implements JsonSerializable {
    public Invite withTitle(String title) {
      return new Invite(conversationId, title, inviterId, ts);
    }
  }

  /** What an invite keeps of a group's title: its start, cut as an inbox preview is ({@link Inbox#preview}). */
  public static String startOfTitle(String title) {
    return title == null ? null : InboxPreview.ofPlain(title, "text");
  }


  /**
   * Answered once the invite is stored, or unavailable at once if the journal refuses it.
   * {@code readsOutcome}, here and below: the asker reads an {@link Outcome}; false from a node of
   * an earlier version, whose {@code replyTo} reads the bare value (see {@code ConsentReply}).
   */
  public record ReceiveInvite(Invite invite, ActorRef<Outcome<Done>> replyTo, boolean readsOutcome)
      implements UserActor.ConsentCommand {
    public ReceiveInvite(Invite invite, ActorRef<Outcome<Done>> replyTo) {
      this(invite, replyTo, true);
    }
  }

  /**
   * The invite to {@code conversationId} (not_found if none); {@code drop}: it is answered and goes,
   * and unavailable is answered at once if the journal refuses that write.
   */
  public record FindInvite(String conversationId, boolean drop, ActorRef<Outcome<Invite>> replyTo)
      implements UserActor.ConsentCommand {}

  public record GetInvites(ActorRef<Invites> replyTo) implements UserActor.ConsentCommand {}

  public record Invites(List<Invite> invites) implements JsonSerializable {}

  /**
   * Chooses who may add the user ({@code policy} null: only asks), answered with the policy in
   * force once stored, or unavailable at once if the journal refuses the choice.
   */
  public record ChooseGroupAdds(GroupAddPolicy policy, GroupAddPolicy byDefault,
      ActorRef<Outcome<GroupAddsChoice>> replyTo, boolean readsOutcome) implements UserActor.ConsentCommand {
    public ChooseGroupAdds(GroupAddPolicy policy, GroupAddPolicy byDefault, ActorRef<Outcome<GroupAddsChoice>> replyTo) {
      this(policy, byDefault, replyTo, true);
    }
  }

  public record GroupAddsChoice(GroupAddPolicy policy) implements JsonSerializable {}

  /**
   * Spends {@code groups} groups created and {@code members} members added from today's quota, all
   * or nothing; answered once stored, or unavailable at once if the journal refuses the write.
   * Negative counts give back what was spent on {@code day}, never refused for the quota: answered
   * granted once stored (at once for a day gone by), or unavailable at once if the journal refuses
   * it, so not stored and safe to send again. A gateway of an earlier version tells it with a null
   * {@code replyTo} and reads no answer.
   */
  public record SpendGroupQuota(int groups, int members, int groupsPerDay, int membersPerDay, long day,
      ActorRef<Outcome<QuotaAnswer>> replyTo, boolean readsOutcome) implements UserActor.ConsentCommand {
    public SpendGroupQuota(int groups, int members, int groupsPerDay, int membersPerDay, long day,
        ActorRef<Outcome<QuotaAnswer>> replyTo) {
      this(groups, members, groupsPerDay, membersPerDay, day, replyTo, true);
    }
  }

  /** {@code granted} on {@code day}; if not, why, and in how long the next day starts. */
  public record QuotaAnswer(boolean granted, long day, String refusal, long retryAfterMs) implements JsonSerializable {}

  // ------------------------------------------------------------------------------------ events

  /** {@code maxInvites}: the bound it was kept under (events carry their limits, see {@link UserState}). */
  public record InviteReceived(Invite invite, int maxInvites) implements UserActor.ConsentEvent {}

  public record InviteAnswered(String conversationId) implements UserActor.ConsentEvent {}

  public record GroupAddsChosen(GroupAddPolicy policy) implements UserActor.ConsentEvent {}

  public record GroupQuotaSpent(long day, int groups, int members) implements UserActor.ConsentEvent {}

  // ------------------------------------------------------------------------------------ handling

  private final String userId;
  private final EffectFactories<UserActor.Event, UserState> effects;
  private final ConsentWrites writes;
  private final DeviceConnections connections;
  private final MemberLists memberLists;
  private final Clock clock;

  GroupConsent(String userId, EffectFactories<UserActor.Event, UserState> effects, DeviceConnections connections,
      MemberLists memberLists, Clock clock) {
    this.userId = userId;
    this.effects = effects;
    this.writes = new ConsentWrites(effects);
    this.connections = connections;
    this.memberLists = memberLists;
    this.clock = clock;
  }

  Effect<UserActor.Event, UserState> handle(UserState state, UserActor.ConsentCommand command) {
    if (command instanceof MayAdd cmd) {
      mayAdd(state, cmd);
    } else if (command instanceof ReceiveInvite cmd) {
      ConsentReply<Done> reply = new ConsentReply<>(cmd.replyTo(), cmd.readsOutcome());
      // The devices showed the invites that go to make room: told, as for one a removal revokes.
      List<String> dropped = state.consent.droppedFor(cmd.invite(), MAX_INVITES);
      return writes.persist(new InviteReceived(cmd.invite(), MAX_INVITES), () -> {
        dropped.forEach(id -> connections.broadcast(new DeviceEvent.InviteRevoked(id), null));
        connections.broadcast(new DeviceEvent.Invited(cmd.invite()), null);
        reply.ok(Done.INSTANCE);
      }, () -> reply.refused("the invite"));
    } else if (command instanceof FindInvite cmd) {
      Invite invite = state.consent.invites.get(cmd.conversationId());
      if (invite == null) {
        cmd.replyTo().tell(Outcome.rejected(Outcome.Reason.NOT_FOUND, "no invite to " + cmd.conversationId()));
      } else if (cmd.drop()) {
        ConsentReply<Invite> reply = new ConsentReply<>(cmd.replyTo(), true); // an Outcome in every version
        return writes.persist(new InviteAnswered(cmd.conversationId()),
            () -> reply.ok(invite), () -> reply.refused("the invite's answer"));
      } else {
        cmd.replyTo().tell(Outcome.ok(invite));
      }
    } else if (command instanceof GetInvites cmd) {
      cmd.replyTo().tell(new Invites(List.copyOf(state.consent.invites.values())));
    } else if (command instanceof ChooseGroupAdds cmd) {
      ConsentReply<GroupAddsChoice> reply = new ConsentReply<>(cmd.replyTo(), cmd.readsOutcome());
      if (cmd.policy() == GroupAddPolicy.UNKNOWN) {
        // A later version's choice, through a node of it: stored here it would read as nobody.
        reply.unknown("who may add you: the server is being updated; try again shortly");
        return effects.none();
      }
      if (cmd.policy() != null && cmd.policy() != state.consent.policy) {
        return writes.persist(new GroupAddsChosen(cmd.policy()),
            () -> reply.ok(new GroupAddsChoice(cmd.policy())), () -> reply.refused("the choice of who may add you"));
      }
      reply.ok(new GroupAddsChoice(policy(state, cmd.byDefault())));
    } else if (command instanceof SpendGroupQuota cmd) {
      return spend(state, cmd);
    }
    return effects.none();
  }

  private static GroupAddPolicy policy(UserState state, GroupAddPolicy byDefault) {
    return state.consent.policy != null ? state.consent.policy : byDefault;
  }

  /**
   * Contacts are decided as for presence ({@link Inbox#hasTalkedTo}): the members of conversations
   * where the user has sent, those the inbox keeps, then those it does not. Sharing a conversation
   * is not enough: a stranger's one message would let them add the user anywhere.
   */
  private void mayAdd(UserState state, MayAdd cmd) {
    GroupAddPolicy policy = policy(state, cmd.byDefault()).enforced();
    boolean holdsInvite = cmd.conversationId() != null && state.consent.invites.containsKey(cmd.conversationId());
    if (cmd.requesterId().equals(userId) || policy == GroupAddPolicy.EVERYONE) {
      cmd.replyTo().tell(new AddAnswer(true, holdsInvite));
    } else if (policy == GroupAddPolicy.NOBODY) {
      cmd.replyTo().tell(new AddAnswer(false, holdsInvite));
    } else if (state.inbox.hasTalkedTo(userId, cmd.requesterId())) {
      cmd.replyTo().tell(new AddAnswer(true, holdsInvite));
    } else {
      memberLists.anyHasMember(state.inbox.sentToMembersNotKept(userId), cmd.requesterId())
          .whenComplete((shares, failure) -> cmd.replyTo().tell(new AddAnswer(failure == null && shares, holdsInvite)));
    }
  }

  private Effect<UserActor.Event, UserState> spend(UserState state, SpendGroupQuota cmd) {
    long now = clock.millis();
    long today = Math.floorDiv(now, DAY_MS);
    if (cmd.groups() < 0 || cmd.members() < 0) {
      return giveBack(state, cmd);
    }
    long retryAfterMs = (today + 1) * DAY_MS - now;
    String refusal = null;
    if (cmd.groups() > 0 && state.consent.groupsCreatedOn(today) + cmd.groups() > cmd.groupsPerDay()) {
      refusal = "at most " + cmd.groupsPerDay() + " groups created a day; try again tomorrow (UTC)";
    } else if (cmd.members() > 0 && state.consent.membersAddedOn(today) + cmd.members() > cmd.membersPerDay()) {
      int left = Math.max(0, cmd.membersPerDay() - state.consent.membersAddedOn(today));
      refusal = "at most " + cmd.membersPerDay() + " members added or invited a day; " + left
          + " left today (UTC), this request names " + cmd.members();
    }
    ConsentReply<QuotaAnswer> reply = new ConsentReply<>(cmd.replyTo(), cmd.readsOutcome());
    if (refusal != null) {
      reply.ok(new QuotaAnswer(false, today, refusal, retryAfterMs));
      return effects.none();
    }
    if (cmd.groups() == 0 && cmd.members() == 0) {
      reply.ok(new QuotaAnswer(true, today, null, 0));
      return effects.none();
    }
    return writes.persist(new GroupQuotaSpent(today, cmd.groups(), cmd.members()),
        () -> reply.ok(new QuotaAnswer(true, today, null, 0)), () -> reply.refused("the quota spent"));
  }

  private Effect<UserActor.Event, UserState> giveBack(UserState state, SpendGroupQuota cmd) {
    ConsentReply<QuotaAnswer> reply = new ConsentReply<>(cmd.replyTo(), cmd.readsOutcome());
    QuotaAnswer given = new QuotaAnswer(true, cmd.day(), null, 0);
    if (cmd.day() != state.consent.quotaDay) {
      reply.ok(given); // a day gone by: nothing of it is left to give back
      return effects.none();
    }
    return writes.persist(new GroupQuotaSpent(cmd.day(), cmd.groups(), cmd.members()),
        () -> reply.ok(given), () -> reply.refused("the quota given back"));
  }

  /** The consent write in flight failed, and the entity restarts: its asker is told now. */
  void writeFailed() {
    writes.writeFailed();
  }

  /** A device connected: it is shown the invites waiting (after the items it is owed). */
  void showInvites(UserState state, ActorRef<DeviceEvent> connection) {
    state.consent.invites.values().forEach(invite -> connection.tell(new DeviceEvent.Invited(invite)));
  }

  static UserState apply(UserState state, UserActor.ConsentEvent event) {
    if (event instanceof InviteReceived e) {
      state.consent.apply(e);
    } else if (event instanceof InviteAnswered e) {
      state.consent.apply(e);
    } else if (event instanceof GroupAddsChosen e) {
      state.consent.apply(e);
    } else if (event instanceof GroupQuotaSpent e) {
      state.consent.apply(e);
    }
    return state;
  }
}
