package io.parley.conversation;

import static io.parley.conversation.ConversationActor.notMember;

import io.parley.cluster.Done;
import io.parley.cluster.HandlerTable;
import io.parley.cluster.HandlerTable.Handler;
import io.parley.cluster.Outcome;
import io.parley.conversation.ArchiveRuns.ArchiveFailed;
import io.parley.conversation.ArchiveRuns.ArchiveLoaded;
import io.parley.conversation.ArchiveRuns.SegmentWritten;
import io.parley.conversation.ArchiveRuns.TrimFinished;
import io.parley.conversation.ConversationActor.AddMembers;
import io.parley.conversation.ConversationActor.BecameLarge;
import io.parley.conversation.ConversationActor.CheckRelayMembers;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Create;
import io.parley.conversation.ConversationActor.Delete;
import io.parley.conversation.ConversationActor.DeletionNoticed;
import io.parley.conversation.ConversationActor.Delivered;
import io.parley.conversation.ConversationActor.EraseMember;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.GetInfo;
import io.parley.conversation.ConversationActor.GetMembers;
import io.parley.conversation.ConversationActor.GetReceiptsGiven;
import io.parley.conversation.ConversationActor.GetSummary;
import io.parley.conversation.ConversationActor.HandedOff;
import io.parley.conversation.ConversationActor.Leave;
import io.parley.conversation.ConversationActor.LocateMessages;
import io.parley.conversation.ConversationActor.MarkRead;
import io.parley.conversation.ConversationActor.MembershipHeld;
import io.parley.conversation.ConversationActor.Read;
import io.parley.conversation.ConversationActor.RelayJoin;
import io.parley.conversation.ConversationActor.RelayLeave;
import io.parley.conversation.ConversationActor.Relayed;
import io.parley.conversation.ConversationActor.RemoveMembers;
import io.parley.conversation.ConversationActor.Rename;
import io.parley.conversation.ConversationActor.Send;
import io.parley.conversation.ConversationActor.SetPosting;
import io.parley.conversation.ConversationActor.SetRole;
import io.parley.conversation.ConversationActor.Stop;
import io.parley.conversation.ConversationActor.Typing;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.Empty;
import io.parley.conversation.ConversationState.State;
import io.parley.conversation.ConversationWrites.Flush;
import io.parley.conversation.DedupOverflow.DedupLookedUp;
import io.parley.conversation.DedupOverflow.DedupSpillFailed;
import io.parley.conversation.DedupOverflow.DedupSpillStored;
import io.parley.conversation.LargeMembers.MemberRowsStored;
import io.parley.conversation.LargeMembers.MembersChecked;
import io.parley.conversation.LargeMembers.MembersLookedUp;
import io.parley.conversation.LargeMembers.ReadMarksStored;
import io.parley.conversation.MemberHandoffs.RetryLoaded;
import io.parley.conversation.MembershipNotices.MembersIndexed;
import io.parley.conversation.MessageDeletion.DeleteChecked;
import io.parley.conversation.Upkeep.Tick;
import org.apache.pekko.persistence.typed.javadsl.Effect;

/**
 * The conversation's command handlers: a table per state ({@link Empty}, a small group, a large
 * one after {@link ConversationActor.BecameLarge}), each falling back to the one for what they
 * handle alike. Each handler hands the command to the job that handles it (see
 * {@link ConversationJobs}).
 */
final class ConversationCommands {
  private ConversationCommands() {}

  /** A command handler per state: the state's own table, then the common one. */
  static Effect<Event, State> handle(ConversationJobs jobs, State state, Command command) {
    if (!(state instanceof Active active)) {
      return WHEN_EMPTY.apply(jobs, (Empty) state, command);
    }
    return active.large ? WHEN_LARGE.apply(jobs, active, command) : WHEN_SMALL.apply(jobs, active, command);
  }

  /** What neither state's own table takes. */
  private static final HandlerTable<ConversationJobs, State, Command, Effect<Event, State>> IN_ANY_STATE =
      HandlerTable.<ConversationJobs, State, Command, Effect<Event, State>>builder()
          .on(Send.class, touching((self, state, cmd) -> self.writes.send(state, cmd)))
          .on(Flush.class, (self, state, cmd) -> self.writes.flush(state, cmd))
          .on(Tick.class, (self, state, cmd) -> self.upkeep.tick(state, cmd))
          .on(Stop.class, (self, state, cmd) -> self.Effect().stop())
          .on(ArchiveFailed.class, (self, state, failed) -> self.archiving.onFailed(failed))
          // Receipts and hand-offs for a conversation that has nothing stored are stale;
          // a WakeUp only starts the entity.
          .on(Command.class, (self, state, cmd) -> self.Effect().none())
          .build();

  private static final HandlerTable<ConversationJobs, Empty, Command, Effect<Event, State>> WHEN_EMPTY =
      HandlerTable.<ConversationJobs, Empty, Command, Effect<Event, State>>builder()
          .on(Create.class, touching((self, state, cmd) -> self.membership.create(state, cmd)))
          .on(GetInfo.class, touching((self, state, cmd) -> self.membership.getInfoBeforeStart(state, cmd)))
          .on(LocateMessages.class, touching((self, state, cmd) -> self.membership.locateBeforeStart(state, cmd)))
          .on(AddMembers.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(Leave.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(RemoveMembers.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(SetRole.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(SetPosting.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(Rename.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(GetReceiptsGiven.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(GetMembers.class, touching((self, state, cmd) -> self.membership.membersBeforeStart(state, cmd)))
          .on(Delete.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          // A read of a conversation that holds nothing: as the user entity answered, not a member.
          .on(MarkRead.class, (self, state, cmd) ->
              self.Effect().reply(cmd.replyTo(), notMember(self.conversationId, cmd.userId())))
          .on(GetSummary.class, (self, state, cmd) -> self.membership.notFound(cmd.replyTo()))
          .on(Typing.class, (self, state, cmd) -> self.typing.typingBeforeStart(cmd))
          .on(CheckRelayMembers.class, (self, state, cmd) -> self.none(() -> GroupRelays.noneAreMembers(cmd, self.conversationId)))
          .on(EraseMember.class, (self, state, cmd) -> self.Effect().reply(cmd.replyTo(), Outcome.ok(Done.INSTANCE)))
          .otherwise(IN_ANY_STATE)
          .build();

  /** What a small group and a large one handle alike (each state's own table comes first). */
  private static final HandlerTable<ConversationJobs, Active, Command, Effect<Event, State>> WHEN_ACTIVE =
      HandlerTable.<ConversationJobs, Active, Command, Effect<Event, State>>builder()
          .on(Create.class, (self, state, cmd) -> self.membership.createExisting(state, cmd))
          .on(Send.class, touching((self, state, cmd) -> self.writes.send(state, cmd)))
          .on(GetInfo.class, touching((self, state, cmd) -> self.membership.getInfo(state, cmd)))
          .on(GetReceiptsGiven.class, touching((self, state, cmd) -> self.membership.receiptsGiven(state, cmd)))
          .on(LocateMessages.class, touching((self, state, cmd) -> self.membership.locate(state, cmd)))
          .on(GetSummary.class, touching((self, state, cmd) -> self.membership.summary(state, cmd)))
          .on(RelayJoin.class, touching((self, state, join) -> self.none(() -> self.relays.join(state, join))))
          .on(Relayed.class, (self, state, relayed) -> self.none(() -> self.tally.relayed(state, relayed.delivered())))
          .on(RelayLeave.class, (self, state, leave) -> self.none(() -> self.relays.leave(leave.relay())))
          .on(CheckRelayMembers.class, touching((self, state, check) -> self.none(() -> self.relays.check(state, check))))
          .on(MembersLookedUp.class, (self, state, answer) -> self.none(() -> self.large.lookedUp(state, answer)))
          .on(MembersChecked.class, (self, state, cmd) -> self.large.checked(state, cmd))
          .on(MemberRowsStored.class, (self, state, cmd) -> self.large.rowsStored(state, cmd))
          .on(ReadMarksStored.class, (self, state, cmd) -> self.large.readsStored(state, cmd))
          .on(HandedOff.class, (self, state, cmd) -> self.none(() -> self.handoffs.onHandedOff(state, cmd)))
          .on(MembershipHeld.class, (self, state, cmd) ->
              self.Effect().none().thenRun(s -> self.memberships.onHeld(state, cmd)))
          .on(MembersIndexed.class, (self, state, cmd) ->
              self.Effect().none().thenRun(s -> self.memberships.onIndexed(state, cmd)))
          .on(RetryLoaded.class, (self, state, loaded) -> self.none(() -> self.handoffs.onRetryLoaded(state, loaded)))
          .on(Delete.class, touching((self, state, cmd) -> self.deletion.request(state, cmd)))
          .on(DeletionNoticed.class, (self, state, cmd) -> self.none(() -> self.deletionNotices.onNoticed(state, cmd)))
          .on(DeleteChecked.class, (self, state, cmd) -> self.deletion.checked(state, cmd))
          .on(DedupLookedUp.class, (self, state, cmd) -> self.writes.lookedUp(state, cmd))
          .on(DedupSpillStored.class, (self, state, cmd) -> self.writes.spillStored(state, cmd))
          .on(DedupSpillFailed.class, (self, state, cmd) -> self.writes.spillFailed(state, cmd))
          .on(ArchiveLoaded.class, (self, state, loaded) -> self.archiving.onLoaded(state, loaded))
          .on(SegmentWritten.class, (self, state, written) -> self.archiving.onSegmentWritten(state, written))
          .on(TrimFinished.class, (self, state, trimmed) -> self.archiving.onTrimFinished(trimmed))
          .otherwise(IN_ANY_STATE)
          .build();

  /** A small group: its members are in the state, each told of every message and receipt. */
  private static final HandlerTable<ConversationJobs, Active, Command, Effect<Event, State>> WHEN_SMALL =
      HandlerTable.<ConversationJobs, Active, Command, Effect<Event, State>>builder()
          .on(GetMembers.class, touching((self, state, cmd) -> self.membership.members(state, cmd)))
          .on(AddMembers.class, touching((self, state, cmd) -> self.membership.addMembers(state, cmd)))
          .on(Leave.class, touching((self, state, cmd) -> self.membership.leave(state, cmd)))
          .on(RemoveMembers.class, touching((self, state, cmd) -> self.admin.removeMembers(state, cmd)))
          .on(Delivered.class, touching((self, state, cmd) ->
              self.writes.receipt(state, cmd.userId(), ReceiptStatus.DELIVERED, cmd.seq())))
          .on(Read.class, touching((self, state, cmd) ->
              self.writes.receipt(state, cmd.userId(), ReceiptStatus.READ, cmd.seq())))
          // Read marks are a large group's: a small one keeps its members' in their inboxes. A
          // member's read comes here when their inbox no longer holds the conversation (beyond its
          // newest entries): nothing keeps the mark, but its senders get their receipts.
          .on(MarkRead.class, touching((self, state, cmd) -> {
            if (!state.members.containsKey(cmd.userId())) {
              return self.Effect().reply(cmd.replyTo(), notMember(self.conversationId, cmd.userId()));
            }
            self.writes.receipt(state, cmd.userId(), ReceiptStatus.READ, cmd.seq());
            return self.Effect().reply(cmd.replyTo(), Outcome.ok(Done.INSTANCE));
          }))
          .on(Typing.class, touching((self, state, cmd) -> self.typing.typing(state, cmd)))
          .on(SetRole.class, touching((self, state, cmd) -> self.admin.setRole(state, cmd, told -> {})))
          .on(SetPosting.class, touching((self, state, cmd) -> self.admin.setPosting(state, cmd, told -> {})))
          .on(Rename.class, touching((self, state, cmd) -> self.admin.rename(state, cmd, told -> {})))
          .on(EraseMember.class, touching((self, state, cmd) -> self.erasure.erase(state, cmd)))
          .otherwise(WHEN_ACTIVE)
          .build();

  /**
   * A large group (after {@link BecameLarge}): its members are rows, looked up before a command
   * naming users is handled (see {@link LargeMembers}), and changed one change at a time.
   */
  private static final HandlerTable<ConversationJobs, Active, Command, Effect<Event, State>> WHEN_LARGE =
      HandlerTable.<ConversationJobs, Active, Command, Effect<Event, State>>builder()
          .on(GetMembers.class, gated((self, state, cmd) -> self.membership.membersOfLarge(state, cmd)))
          .on(AddMembers.class, gated((self, state, cmd) -> self.membership.addMembersToLarge(state, cmd)))
          .on(Leave.class, gated((self, state, cmd) -> self.membership.leaveLarge(state, cmd)))
          .on(RemoveMembers.class, gated((self, state, cmd) -> self.admin.removeMembersFromLarge(state, cmd)))
          // Its receipts are its members' read marks.
          .on(Delivered.class, gated((self, state, cmd) -> self.Effect().none()))
          .on(Read.class, gated((self, state, cmd) -> self.none(() ->
              self.large.read(state, cmd.userId(), cmd.seq(), null))))
          .on(MarkRead.class, gated((self, state, cmd) -> self.none(() ->
              self.large.read(state, cmd.userId(), cmd.seq(), cmd.replyTo()))))
          .on(Typing.class, gated((self, state, cmd) -> self.typing.typingInLarge(state, cmd)))
          // Its connected members hear of these through the relays.
          .on(SetRole.class, gated((self, state, cmd) -> self.admin.setRole(state, cmd, self.large::infoChanged)))
          .on(SetPosting.class, gated((self, state, cmd) ->
              self.admin.setPosting(state, cmd, self.large::infoChanged)))
          .on(Rename.class, gated((self, state, cmd) -> self.admin.rename(state, cmd, self.large::infoChanged)))
          .on(EraseMember.class, gated((self, state, cmd) -> self.erasure.eraseInLarge(state, cmd)))
          .on(Command.class, (self, state, cmd) ->
              self.large.waitsForLookup(state, cmd) ? self.Effect().none() : WHEN_ACTIVE.apply(self, state, cmd))
          .build();

  /** Commands a member sent count as activity: the conversation stays awake ({@link ConversationJobs#touch}). */
  private static <S extends State, C extends Command> Handler<ConversationJobs, S, C, Effect<Event, State>> touching(
      Handler<ConversationJobs, S, C, Effect<Event, State>> handler) {
    return (self, state, cmd) -> {
      self.touch(state, cmd);
      return handler.apply(self, state, cmd);
    };
  }

  /**
   * For a large group: {@link #touching}, once the users the command names are known to be
   * members or not (see {@link LargeMembers}); until then it waits, and is handled again.
   */
  private static <C extends Command> Handler<ConversationJobs, Active, C, Effect<Event, State>> gated(
      Handler<ConversationJobs, Active, C, Effect<Event, State>> handler) {
    Handler<ConversationJobs, Active, C, Effect<Event, State>> touched = touching(handler);
    return (self, state, cmd) -> self.large.waitsForLookup(state, cmd) ? self.Effect().none() : touched.apply(self, state, cmd);
  }
}
