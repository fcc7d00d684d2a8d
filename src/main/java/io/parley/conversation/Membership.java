package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.AddMembers;
import io.parley.conversation.ConversationActor.Create;
import io.parley.conversation.ConversationActor.DirectStarted;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.GetInfo;
import io.parley.conversation.ConversationActor.GroupCreated;
import io.parley.conversation.ConversationActor.Leave;
import io.parley.conversation.ConversationActor.LocateMessages;
import io.parley.conversation.ConversationActor.Location;
import io.parley.conversation.ConversationActor.MemberLeft;
import io.parley.conversation.ConversationActor.MembersAdded;
import io.parley.conversation.ConversationActor.Send;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.Empty;
import io.parley.conversation.ConversationState.State;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * A conversation's membership commands: creating a group, adding members, leaving, and who may
 * see what (its info, where its messages are). Every change is announced to the members (and to
 * those who just left), whose UserActors keep their inboxes in step.
 */
final class Membership {
  private final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final MembershipNotices notices;
  private final MemberHandoffs.Locator locator;
  private final LargeMembers large;
  private final GroupMembers rows;
  private final ConversationSettings settings;
  private final Clock clock;
  private final KnownMembers known;

  Membership(String conversationId, EffectFactories<Event, State> effects, MembershipNotices notices,
      MemberHandoffs.Locator locator, LargeMembers large, GroupMembers rows, ConversationSettings settings,
      Clock clock, KnownMembers known) {
    this.conversationId = conversationId;
    this.effects = effects;
    this.notices = notices;
    this.locator = locator;
    this.large = large;
    this.rows = rows;
    this.settings = settings;
    this.clock = clock;
    this.known = known;
  }

  Effect<Event, State> create(Empty state, Create cmd) {
    if (!ConversationIds.isGroup(conversationId)) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "only groups are created explicitly"));
      return effects.none();
    }
    List<String> members = new ArrayList<>();
    members.add(cmd.creatorId());
    cmd.members().stream().filter(m -> !members.contains(m)).forEach(members::add);
    if (members.size() > settings.maxGroupMembers()) {
      cmd.replyTo().tell(tooMany(settings));
      return effects.none();
    }
    GroupCreated created = new GroupCreated(cmd.title(), members, cmd.creatorId(), clock.millis(), true);
    if (members.size() >= settings.largeGroupFrom()) {
      List<GroupMembers.Row> all = members.stream().map(id -> new GroupMembers.Row(id, 0, 0)).toList();
      return large.createLarge(created, all, cmd.replyTo());
    }
    return effects
        .persist(created)
        .thenRun((State newState) -> {
          Active active = (Active) newState;
          cmd.replyTo().tell(Outcome.ok(active.info(conversationId)));
          announceMembership(active, List.of());
        });
  }

  static <T> Outcome<T> tooMany(ConversationSettings settings) {
    return Outcome.rejected(Reason.BAD_REQUEST, "a group has at most " + settings.maxGroupMembers() + " members");
  }

  Effect<Event, State> createExisting(Active state, Create cmd) {
    cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, conversationId + " already exists"));
    return effects.none();
  }

  Effect<Event, State> getInfo(Active state, GetInfo cmd) {
    if (cmd.userId() != null && !state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
    } else {
      cmd.replyTo().tell(Outcome.ok(state.info(conversationId)));
    }
    return effects.none();
  }

  /** Where a member's reader finds the newest {@code limit} messages before {@code beforeSeq}. */
  Effect<Event, State> locate(Active state, LocateMessages cmd) {
    if (cmd.userId() != null && !state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
    } else {
      // A member reads what came after they joined: not what the same id read in an earlier
      // membership (an erased account's id that returns), nor a group's past before they came.
      long first = cmd.userId() == null ? 1 : state.sinceOf(cmd.userId(), known) + 1;
      long to = Math.min(cmd.beforeSeq() - 1, state.lastSeq);
      long from = Math.max(first, to - cmd.limit() + 1);
      Location at = to < from
          ? new Location(from, to, List.of(), from, new JournalIndex.Range(1, 1), List.of(), Map.of(), first)
          : locator.locate(state, from, to);
      cmd.replyTo().tell(Outcome.ok(new Location(at.fromSeq(), at.toSeq(), at.cold(), at.hotFromSeq(), at.range(),
          at.deleted(), at.erased(), first)));
    }
    return effects.none();
  }

  Effect<Event, State> members(Active state, ConversationActor.GetMembers cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
    } else {
      cmd.replyTo().tell(Outcome.ok(page(state.members.keySet(), cmd, state::roleOf)));
    }
    return effects.none();
  }

  /** A large group's members are its rows. */
  Effect<Event, State> membersOfLarge(Active state, ConversationActor.GetMembers cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
    } else {
      // Rows come in user id order already, one more than asked to tell whether a page follows.
      String owner = state.owner;
      java.util.Set<String> admins = java.util.Set.copyOf(state.admins);
      rows.page(conversationId, cmd.after(), cmd.limit() + 1).whenComplete((page, failure) -> cmd.replyTo().tell(
          failure != null
              ? Outcome.rejected(Reason.UNAVAILABLE, "could not read the members of " + conversationId + "; retry")
              : Outcome.ok(page(page.stream().map(GroupMembers.Row::userId).toList(), cmd,
                  m -> m.equals(owner) ? "owner" : admins.contains(m) ? "admin" : "member"))));
    }
    return effects.none();
  }

  Effect<Event, State> membersBeforeStart(Empty state, ConversationActor.GetMembers cmd) {
    return replyBeforeStart(cmd.userId(), cmd.replyTo(), members -> Outcome.ok(page(members, cmd, member -> "member")));
  }

  /** Members in user id order, so that pages stay put while members join and leave. */
  static ConversationActor.MemberPage page(
      java.util.Collection<String> members, ConversationActor.GetMembers cmd, Function<String, String> role) {
    List<String> after = members.stream()
        .filter(m -> cmd.after() == null || m.compareTo(cmd.after()) > 0)
        .sorted()
        .limit(cmd.limit() + 1L)
        .toList();
    boolean more = after.size() > cmd.limit();
    List<String> shown = more ? after.subList(0, cmd.limit()) : after;
    return new ConversationActor.MemberPage(
        shown.stream().map(m -> new ConversationActor.MemberRole(m, role.apply(m))).toList(),
        more ? shown.get(shown.size() - 1) : null);
  }

  /** What the member's inbox shows of a large group: its newest message and how far they read. */
  Effect<Event, State> summary(Active state, ConversationActor.GetSummary cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
      return effects.none();
    }
    long readSeq = known.row(cmd.userId()).map(GroupMembers.Row::readThrough)
        .orElseGet(() -> Optional.ofNullable(state.members.get(cmd.userId()))
            .map(m -> m.watermark(ReceiptStatus.READ)).orElse(state.lastSeq));
    ChatMessage last = state.lastMessage == null ? null : state.lastMessage.toChatMessage(conversationId);
    if (last != null && last.seq() <= state.sinceOf(cmd.userId(), known)) {
      last = null; // from before they joined: not theirs to read, so not to preview either
    } else if (last != null && (state.deleted.contains(last.seq())
        || state.erasedThrough(last.senderId()) >= last.seq())) {
      last = last.tombstone(); // deleted for everyone, or its sender's account erased
    }
    long unread = EarlierUnread.count(state, cmd.userId(), readSeq, state.lastSeq); // a deleted message is not to read
    cmd.replyTo().tell(Outcome.ok(new ConversationActor.Summary(state.info(conversationId), last, readSeq, unread)));
    return effects.none();
  }

  /**
   * How far the member acked and read. A large group's member is a row holding their read mark
   * only (no deliveries are recorded per member), given as both.
   */
  Effect<Event, State> receiptsGiven(Active state, ConversationActor.GetReceiptsGiven cmd) {
    if (state.large) {
      Optional<Long> read = state.isMember(cmd.userId(), known)
          ? known.row(cmd.userId()).map(GroupMembers.Row::readThrough) : Optional.empty();
      cmd.replyTo().tell(read.isEmpty()
          ? ConversationActor.notMember(conversationId, cmd.userId())
          : Outcome.ok(new ConversationActor.ReceiptsGiven(read.get(), read.get())));
      return effects.none();
    }
    Member member = state.members.get(cmd.userId());
    cmd.replyTo().tell(member == null
        ? ConversationActor.notMember(conversationId, cmd.userId())
        : Outcome.ok(new ConversationActor.ReceiptsGiven(member.watermark(ReceiptStatus.DELIVERED),
            member.watermark(ReceiptStatus.READ))));
    return effects.none();
  }

  Effect<Event, State> addMembers(Active state, AddMembers cmd) {
    if (refusedToAdd(state, cmd)) {
      return effects.none();
    }
    List<String> added = cmd.members().stream().distinct().filter(m -> !state.isMember(m, known)).toList();
    if (state.members.size() + added.size() > settings.maxGroupMembers()) {
      cmd.replyTo().tell(tooMany(settings));
      return effects.none();
    }
    if (!added.isEmpty() && large.largeAt(state, state.members.size() + added.size())) {
      return large.becomeLarge(state, cmd, added);
    }
    if (added.isEmpty()) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return effects.none();
    }
    return effects
        .persist(new MembersAdded(added))
        .thenRun((State newState) -> {
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
          announceMembership((Active) newState, List.of());
        });
  }

  /** A large group's members are rows: {@link LargeMembers} changes them. */
  Effect<Event, State> addMembersToLarge(Active state, AddMembers cmd) {
    return refusedToAdd(state, cmd) ? effects.none() : large.change(state, cmd);
  }

  /** Whether {@code cmd} was refused (and answered so). */
  private boolean refusedToAdd(Active state, AddMembers cmd) {
    if (!state.isMember(cmd.requesterId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.requesterId()));
      return true;
    }
    if (state.title == null) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "a direct conversation has fixed members"));
      return true;
    }
    if (!state.mayManage(cmd.requesterId(), known)) {
      cmd.replyTo().tell(Outcome.rejected(Reason.FORBIDDEN,
          "only the owner or an admin of " + conversationId + " may add members"));
      return true;
    }
    return false;
  }

  Effect<Event, State> leave(Active state, Leave cmd) {
    if (refusedToLeave(state, cmd)) {
      return effects.none();
    }
    return effects
        .persist(new MemberLeft(cmd.userId()))
        .thenRun((State newState) -> {
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
          announceMembership((Active) newState, List.of(cmd.userId()));
        });
  }

  Effect<Event, State> leaveLarge(Active state, Leave cmd) {
    return refusedToLeave(state, cmd) ? effects.none() : large.change(state, cmd);
  }

  private boolean refusedToLeave(Active state, Leave cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
      return true;
    }
    if (state.title == null) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST, "cannot leave a direct conversation"));
      return true;
    }
    return false;
  }

  /** Tells current members (and those who just left) the conversation's new membership, until they hold it. */
  private void announceMembership(Active state, List<String> formerMembers) {
    notices.announce(state, formerMembers);
  }

  // A conversation with nothing stored: a direct one exists implicitly for its two members.

  Effect<Event, State> getInfoBeforeStart(Empty state, GetInfo cmd) {
    return replyBeforeStart(cmd.userId(), cmd.replyTo(),
        members -> Outcome.ok(new ConversationInfo(conversationId, null, members, 0)));
  }

  Effect<Event, State> locateBeforeStart(Empty state, LocateMessages cmd) {
    return replyBeforeStart(cmd.userId(), cmd.replyTo(),
        members -> Outcome.ok(new Location(1, 0, List.of(), 1, new JournalIndex.Range(1, 1), List.of(), Map.of())));
  }

  /**
   * The first send to a direct conversation starts it, if one of {@code sends} is by one of its
   * two members; otherwise every send is refused (a group must be created first).
   */
  Optional<DirectStarted> directStartedBy(List<Send> sends) {
    Optional<List<String>> direct = sends.stream()
        .map(send -> ConversationIds.directMembers(conversationId, send.senderId()))
        .flatMap(Optional::stream)
        .findFirst();
    if (direct.isEmpty()) {
      sends.forEach(send -> send.replyTo().tell(ConversationIds.isDirect(conversationId)
          ? ConversationActor.notMember(conversationId, send.senderId())
          : Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId)));
      return Optional.empty();
    }
    return Optional.of(new DirectStarted(direct.get(), clock.millis()));
  }

  /** {@code userId} null is an internal caller, which skips the membership check. */
  private <T> Effect<Event, State> replyBeforeStart(
      String userId, ActorRef<Outcome<T>> replyTo, Function<List<String>, Outcome<T>> ok) {
    Optional<List<String>> members =
        userId == null ? Optional.of(List.of()) : ConversationIds.directMembers(conversationId, userId);
    if (members.isPresent()) {
      replyTo.tell(ok.apply(members.get()));
    } else if (ConversationIds.isDirect(conversationId)) {
      replyTo.tell(ConversationActor.notMember(conversationId, userId));
    } else {
      notFound(replyTo);
    }
    return effects.none();
  }

  <T> Effect<Event, State> notFound(ActorRef<Outcome<T>> replyTo) {
    replyTo.tell(Outcome.rejected(Reason.NOT_FOUND, "no conversation " + conversationId));
    return effects.none();
  }
}
