package io.parley.conversation;

import io.parley.cluster.EventBatches;
import io.parley.cluster.HandlerTable;
import io.parley.conversation.ConversationActor.Batch;
import io.parley.conversation.ConversationActor.BecameLarge;
import io.parley.conversation.ConversationActor.DedupSpilled;
import io.parley.conversation.ConversationActor.DeletionNoticesSettled;
import io.parley.conversation.ConversationActor.DirectStarted;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.GroupCreated;
import io.parley.conversation.ConversationActor.HandoffsConfirmed;
import io.parley.conversation.ConversationActor.JournalTrimmed;
import io.parley.conversation.ConversationActor.LargeMembersChanged;
import io.parley.conversation.ConversationActor.MemberErased;
import io.parley.conversation.ConversationActor.MemberLeft;
import io.parley.conversation.ConversationActor.MemberRowsWritten;
import io.parley.conversation.ConversationActor.MembersAdded;
import io.parley.conversation.ConversationActor.MembersRemoved;
import io.parley.conversation.ConversationActor.MembershipSettled;
import io.parley.conversation.ConversationActor.MessageDeleted;
import io.parley.conversation.ConversationActor.MessagesAccepted;
import io.parley.conversation.ConversationActor.PostingChanged;
import io.parley.conversation.ConversationActor.Receipt;
import io.parley.conversation.ConversationActor.ReceiptRecorded;
import io.parley.conversation.ConversationActor.ReceiptsCounted;
import io.parley.conversation.ConversationActor.ReceiptsRecorded;
import io.parley.conversation.ConversationActor.Renamed;
import io.parley.conversation.ConversationActor.RoleChanged;
import io.parley.conversation.ConversationActor.SegmentArchived;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.Empty;
import io.parley.conversation.ConversationState.State;
import java.util.List;

/**
 * The conversation's event handler. Pure: the state's own methods build the new state from the
 * event alone, on a write and on replay alike.
 */
final class ConversationEvents {
  private ConversationEvents() {}

  /** The state after {@code event}; a {@link Batch} applies its events one after the other. */
  static State apply(State state, Event event) {
    if (event instanceof Batch batch) {
      return EventBatches.applyAll(ConversationEvents::apply, state, batch.events());
    }
    if (state instanceof Active active) {
      return EVENTS_WHEN_ACTIVE.apply(null, active, event);
    }
    return EVENTS_WHEN_EMPTY.apply(null, (Empty) state, event);
  }

  private static final HandlerTable<Void, Empty, Event, State> EVENTS_WHEN_EMPTY =
      HandlerTable.<Void, Empty, Event, State>builder()
          .on(DirectStarted.class, (self, state, e) -> new Active(null, e.members()).membershipChanged())
          .on(GroupCreated.class, (self, state, e) ->
              new Active(e.title(), e.members()).groupCreated(e.creatorId(), e.roles()))
          .build();

  private static final HandlerTable<Void, Active, Event, State> EVENTS_WHEN_ACTIVE =
      HandlerTable.<Void, Active, Event, State>builder()
          .on(MembersAdded.class, (self, state, e) -> state.membersAdded(e.members()))
          .on(MemberLeft.class, (self, state, e) -> state.memberLeft(e.userId()))
          .on(MembersRemoved.class, (self, state, e) -> state.membersRemoved(e.members()))
          .on(RoleChanged.class, (self, state, e) -> state.roleChanged(e.userId(), e.admin()))
          .on(PostingChanged.class, (self, state, e) -> state.postingChanged(e.adminsOnly()))
          .on(Renamed.class, (self, state, e) -> state.renamed(e.title()))
          .on(MembershipSettled.class, (self, state, e) -> state.membershipSettled())
          .on(BecameLarge.class, (self, state, e) -> state.becameLarge(e.rows()))
          .on(LargeMembersChanged.class, (self, state, e) -> state.largeMembersChanged(
              e.added().stream().map(id -> new GroupMembers.Row(id, e.since(), e.since())).toList(), e.removed()))
          .on(MemberRowsWritten.class, (self, state, e) -> state.memberRowsWritten(e.added(), e.removed()))
          .on(ReceiptsCounted.class, (self, state, e) -> state.receiptsCounted(e.added()))
          .on(MessagesAccepted.class, (self, state, e) -> state.messagesAccepted(e))
          .on(DedupSpilled.class, (self, state, e) -> state.dedupSpilled(e))
          .on(MessageDeleted.class, (self, state, e) -> state.messageDeleted(e))
          .on(DeletionNoticesSettled.class, (self, state, e) -> state.deletionNoticesSettled(e.settled()))
          .on(MemberErased.class, (self, state, e) -> state.memberErased(e))
          .on(SegmentArchived.class, (self, state, e) -> state.segmentArchived(e))
          .on(JournalTrimmed.class, (self, state, e) -> state.journalTrimmed(e.throughSeqNr()))
          .on(HandoffsConfirmed.class, (self, state, e) -> state.handoffsConfirmed(e.storedThrough()))
          .on(ReceiptRecorded.class, (self, state, e) ->
              state.receiptsRecorded(List.of(new Receipt(e.userId(), e.status(), e.seq()))))
          .on(ReceiptsRecorded.class, (self, state, e) -> state.receiptsRecorded(e.receipts()))
          // Events of the Empty state never repeat on an Active one.
          .on(Event.class, (self, state, e) -> state)
          .build();
}
