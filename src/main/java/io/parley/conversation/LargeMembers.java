package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.AddMembers;
import io.parley.conversation.ConversationActor.BecameLarge;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.LargeMembersChanged;
import io.parley.conversation.ConversationActor.Leave;
import io.parley.conversation.ConversationActor.MemberRowsWritten;
import io.parley.conversation.ConversationActor.RemoveMembers;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * A large group's membership, kept as rows ({@link GroupMembers}) rather than in its state.
 *
 * <ul>
 *   <li>Before a command naming users runs, those the entity does not know yet are looked up in the
 *       rows ({@link #waitsForLookup}): the command waits, and is handled again once they are known.
 *   <li>Membership changes run one at a time: each is recorded in an event (which counts the
 *       members and lists the rows owed), then the rows are written, then the requester is answered.
 *       Rows owed when the entity restarts are written again.
 *   <li>A group grows large when an addition brings it to {@code largeGroupFrom} members: every
 *       member moves to a row, and from then on it never goes back.
 * </ul>
 */
final class LargeMembers {
  // Results of lookups, checks and writes of the rows, piped to the entity: never stored.
  record MembersLookedUp(List<String> asked, Map<String, GroupMembers.Row> found, String failure) implements Command {}

  record MembersChecked(Command change, Map<String, GroupMembers.Row> found, String failure) implements Command {}

  record MemberRowsStored(int added, int removed, String failure) implements Command {}

  record ReadMarksStored(List<GroupMembers.Row> marks, List<ActorRef<Outcome<Done>>> replies, String failure)
      implements Command {}

  private static final int MAX_LOOKUP_ATTEMPTS = 3;

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final EffectFactories<Event, State> effects;
  private final GroupMembers rows;
  private final LiveGroups live;
  private final MembershipNotices notices;
  private final ConversationSettings settings;

  // Not state: commands waiting for a lookup, changes waiting their turn, writes in flight.
  private final List<Command> waitingForLookup = new ArrayList<>();
  private boolean lookingUp;
  private int lookupAttempts;
  private final ArrayDeque<Command> changesWaiting = new ArrayDeque<>();
  private boolean changing;
  private boolean writing;
  private final List<Runnable> afterRowsWritten = new ArrayList<>();
  private final ReadMarks reads;
  private final KnownMembers known;

  LargeMembers(String conversationId, ActorContext<Command> ctx, EffectFactories<Event, State> effects,
      GroupMembers rows, LiveGroups live, MembershipNotices notices, ReceiptTally tally,
      ConversationSettings settings, KnownMembers known) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.effects = effects;
    this.rows = rows;
    this.live = live;
    this.notices = notices;
    this.settings = settings;
    this.reads = new ReadMarks(conversationId, ctx, tally, known);
    this.known = known;
  }

  // ------------------------------------------------------------------------- knowing the members

  /** Whether {@code cmd} must wait until the users it names are looked up (it is then handled again). */
  boolean waitsForLookup(Active state, Command cmd) {
    boolean unknown = named(cmd).stream().anyMatch(id -> !knows(id));
    if (!unknown) {
      return false;
    }
    waitingForLookup.add(cmd);
    lookUp(state);
    return true;
  }

  /** Known with their row: the owner and admins are members anyway, but their read marks are in rows too. */
  private boolean knows(String userId) {
    return userId == null || known.knows(userId);
  }

  private void lookUp(Active state) {
    if (lookingUp) {
      return;
    }
    Set<String> ids = new LinkedHashSet<>();
    waitingForLookup.forEach(cmd -> named(cmd).stream().filter(id -> !knows(id)).forEach(ids::add));
    List<String> asked = List.copyOf(ids);
    lookingUp = true;
    ctx.pipeToSelf(rows.find(conversationId, asked), (found, failure) ->
        new MembersLookedUp(asked, found == null ? Map.of() : found, failure == null ? null : failure.toString()));
  }

  /** The rows answered: the waiting commands are handled again, in the order they came. */
  void lookedUp(Active state, MembersLookedUp answer) {
    lookingUp = false;
    if (answer.failure() != null) {
      ctx.getLog().warn("Looking up members of {} failed: {}", conversationId, answer.failure());
      if (++lookupAttempts < MAX_LOOKUP_ATTEMPTS) {
        lookUp(state);
        return;
      }
      waitingForLookup.forEach(cmd -> Refusals.refuse(cmd, Outcome.rejected(Reason.UNAVAILABLE,
          "could not check the members of " + conversationId + "; retry")));
    } else {
      // Whatever a stored change said meanwhile is newer than the rows' answer.
      answer.asked().stream().filter(id -> !known.knows(id)).forEach(id -> {
        GroupMembers.Row row = answer.found().get(id);
        if (row != null) {
          known.joined(row);
        } else {
          known.left(id);
        }
      });
      waitingForLookup.forEach(ctx.getSelf()::tell);
    }
    lookupAttempts = 0;
    waitingForLookup.clear();
  }

  /** The users a command acts for or on, whose membership it checks. */
  private static List<String> named(Command cmd) {
    List<String> ids = new ArrayList<>(2);
    if (cmd instanceof ConversationActor.Send send) {
      ids.add(send.senderId());
    }
    if (cmd instanceof ConversationActor.ByRequester byRequester) {
      ids.add(byRequester.requesterId());
    }
    if (cmd instanceof ConversationActor.ForUser forUser) {
      ids.add(forUser.userId());
    }
    if (cmd instanceof ConversationActor.CheckRelayMembers check) {
      ids.addAll(check.userIds());
    }
    return ids;
  }

  // ---------------------------------------------------------------------------- changing them

  /** Whether a group of {@code count} members is large (a direct conversation never is). */
  boolean largeAt(Active state, long count) {
    return state.title != null && count >= settings.largeGroupFrom();
  }

  /** The group grows large with {@code added}: every member moves to a row. */
  Effect<Event, State> becomeLarge(Active state, AddMembers cmd, List<String> added) {
    List<GroupMembers.Row> all = new ArrayList<>();
    state.members.forEach((id, m) -> all.add(new GroupMembers.Row(id, m.since(), m.read())));
    added.forEach(id -> all.add(new GroupMembers.Row(id, state.lastSeq, state.lastSeq)));
    List<String> before = List.copyOf(state.members.keySet());
    changing = true;
    return effects.persist(new BecameLarge(all)).thenRun((State newState) -> {
      Active large = joined((Active) newState, all);
      // As of the change: the members' feeds start after its seq, and messages go on while rows are written.
      ConversationInfo atChange = large.info(conversationId);
      writeRows(large, () -> {
        cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
        // Their user entities drop the group from their inboxes: a large group's entry is read from it.
        notices.announce(large, before);
        live.becameLarge(atChange, all.stream().map(GroupMembers.Row::userId).toList(), before);
        changeDone();
      });
    });
  }

  /** A group created with {@code largeGroupFrom} members or more is large from the start. */
  Effect<Event, State> createLarge(ConversationActor.GroupCreated created, List<GroupMembers.Row> all,
      ActorRef<Outcome<ConversationInfo>> replyTo) {
    changing = true;
    return effects.persist(List.of(created, new BecameLarge(all))).thenRun((State newState) -> {
      Active active = joined((Active) newState, all);
      writeRows(active, () -> {
        replyTo.tell(Outcome.ok(active.info(conversationId)));
        live.membershipChanged(active.info(conversationId), all.stream().map(GroupMembers.Row::userId).toList(),
            List.of());
        changeDone();
      });
    });
  }

  /** Adding, removing or leaving: one at a time, each once the rows of the one before are written. */
  Effect<Event, State> change(Active state, Command cmd) {
    if (changing || state.rowsOwed()) {
      changesWaiting.add(cmd);
      return effects.none();
    }
    if (cmd instanceof Leave leave) {
      if (!state.isMember(leave.userId(), known)) {
        leave.replyTo().tell(ConversationActor.notMember(conversationId, leave.userId()));
        return effects.none();
      }
      changing = true;
      return removed(state, List.of(leave.userId()), leave.replyTo());
    }
    List<String> ids = cmd instanceof AddMembers add ? add.members() : ((RemoveMembers) cmd).members();
    changing = true;
    ctx.pipeToSelf(rows.find(conversationId, ids), (found, failure) ->
        new MembersChecked(cmd, found == null ? Map.of() : found, failure == null ? null : failure.toString()));
    return effects.none();
  }

  /** Which of the named users are members came back: the change goes ahead with the others, or these. */
  Effect<Event, State> checked(Active state, MembersChecked checked) {
    if (checked.failure() != null) {
      Refusals.refuse(checked.change(), Outcome.rejected(Reason.UNAVAILABLE,
          "could not check the members of " + conversationId + "; retry"));
      changeDone();
      return effects.none();
    }
    if (checked.change() instanceof AddMembers add) {
      List<String> added = add.members().stream().distinct().filter(id -> !checked.found().containsKey(id)).toList();
      if (added.isEmpty() || state.memberCount() + added.size() > settings.maxGroupMembers()) {
        add.replyTo().tell(added.isEmpty() ? Outcome.ok(Done.INSTANCE) : Membership.tooMany(settings));
        changeDone();
        return effects.none();
      }
      long since = state.lastSeq;
      return effects.persist(new LargeMembersChanged(added, since, List.of())).thenRun((State newState) -> {
        ConversationInfo atChange = ((Active) newState).info(conversationId); // their feeds start after since
        writeRows(joined((Active) newState,
            added.stream().map(id -> new GroupMembers.Row(id, since, since)).toList()), () -> {
          add.replyTo().tell(Outcome.ok(Done.INSTANCE));
          live.membershipChanged(atChange, added, List.of());
          changeDone();
        });
      });
    }
    RemoveMembers remove = (RemoveMembers) checked.change();
    List<String> gone = remove.members().stream().distinct().filter(checked.found()::containsKey).toList();
    if (gone.isEmpty()) {
      remove.replyTo().tell(Outcome.ok(Done.INSTANCE));
      changeDone();
      return effects.none();
    }
    return removed(state, gone, remove.replyTo());
  }

  private Effect<Event, State> removed(Active state, List<String> gone, ActorRef<Outcome<Done>> replyTo) {
    reads.forget(gone);
    GroupRoles rolesBefore = state.info(conversationId).roles();
    return effects.persist(new LargeMembersChanged(List.of(), 0, gone))
        .thenRun((State newState) -> writeRows(left((Active) newState, gone), () -> {
          replyTo.tell(Outcome.ok(Done.INSTANCE));
          notices.announce((Active) newState, gone); // their user entities drop the group
          live.membershipChanged(((Active) newState).info(conversationId), List.of(), gone);
          rolesMayHaveChanged(rolesBefore, (Active) newState);
          changeDone();
        }));
  }

  // The lookup cache follows each stored change: commands after it find the members it changed.

  private Active joined(Active state, List<GroupMembers.Row> added) {
    added.forEach(known::joined);
    return state;
  }

  /** Members who left or were removed (or erased) are known not to be members. */
  Active left(Active state, List<String> gone) {
    gone.forEach(known::left);
    return state;
  }

  /** Its title, roles or posting changed: the members connected are told through their relays. */
  void infoChanged(Active state) {
    live.membershipChanged(state.info(conversationId), List.of(), List.of());
  }

  /**
   * Members went: an owner handed the group on, or an admin is one no more, is a change of roles
   * the members connected are told of (a plain member's going is told only to them).
   */
  void rolesMayHaveChanged(GroupRoles before, Active state) {
    if (!Objects.equals(before, state.info(conversationId).roles())) {
      infoChanged(state);
    }
  }

  /**
   * The waiting changes are handled again, in order: the first goes ahead and the others wait
   * again, and one that no longer may (its requester left meanwhile) is answered as it would be.
   */
  private void changeDone() {
    changing = false;
    changesWaiting.forEach(ctx.getSelf()::tell);
    changesWaiting.clear();
  }

  /** Writes the rows the state owes the store, then runs {@code then}. */
  void writeRows(Active state, Runnable then) {
    afterRowsWritten.add(then);
    writeNext(state);
  }

  /** A member read through {@code seq} ({@code replyTo} may be null): stored with the next write. */
  void read(Active state, String userId, long seq, ActorRef<Outcome<Done>> replyTo) {
    reads.read(state, userId, seq, replyTo);
    writeNext(state);
  }

  /**
   * One write at a time, so that a read mark never writes back the row of a member just removed:
   * rows owed by membership changes first, then the read marks waiting. Also the tick's, for rows
   * owed after a restart and writes that failed.
   */
  void writeNext(Active state) {
    if (writing) {
      return;
    }
    if (state.rowsOwed()) {
      writing = true;
      List<GroupMembers.Row> adds = List.copyOf(state.rowsToAdd);
      List<String> removes = List.copyOf(state.rowsToRemove);
      CompletionStage<Done> written = Done.after(rows.remove(conversationId, removes)
          .thenCompose(v -> rows.add(conversationId, adds)));
      ctx.pipeToSelf(written, (v, failure) ->
          new MemberRowsStored(adds.size(), removes.size(), failure == null ? null : failure.toString()));
    } else if (reads.anyWaiting()) {
      writing = true;
      ReadMarks.Batch batch = reads.take();
      ctx.pipeToSelf(Done.after(rows.update(conversationId, batch.marks())), (v, failure) ->
          new ReadMarksStored(batch.marks(), batch.replies(), failure == null ? null : failure.toString()));
    }
  }

  Effect<Event, State> rowsStored(Active state, MemberRowsStored stored) {
    writing = false;
    if (stored.failure() != null) {
      ctx.getLog().warn("Writing member rows of {} failed, retried at the next tick: {}",
          conversationId, stored.failure());
      return effects.none();
    }
    return effects.persist(new MemberRowsWritten(stored.added(), stored.removed())).thenRun((State newState) -> {
      Active active = (Active) newState;
      if (!active.rowsOwed()) {
        List<Runnable> then = List.copyOf(afterRowsWritten);
        afterRowsWritten.clear();
        then.forEach(Runnable::run);
        if (!changing) {
          changeDone(); // changes that waited for rows a restart left owed
        }
      }
      writeNext(active); // rows an erasure owed meanwhile, or read marks
    });
  }

  Effect<Event, State> readsStored(Active state, ReadMarksStored stored) {
    writing = false;
    reads.stored(stored);
    if (stored.failure() == null) {
      writeNext(state);
    }
    return effects.none();
  }

  boolean idle() {
    return !lookingUp && !changing && !writing && changesWaiting.isEmpty() && reads.idle();
  }
}
