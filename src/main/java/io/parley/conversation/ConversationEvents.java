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
 * The conversation's event handler. Pure: {@link ActiveMembership} and {@link ActiveMessages}
 * build the new state from the state and the event alone, on a write and on replay alike.
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
          .on(DirectStarted.class, (self, state, e) ->
              ActiveMembership.membershipChanged(new Active(null, e.members())))
          .on(GroupCreated.class, (self, state, e) ->
              ActiveMembership.groupCreated(new Active(e.title(), e.members()), e.creatorId(), e.roles()))
          .build();

  private static final HandlerTable<Void, Active, Event, State> EVENTS_WHEN_ACTIVE =
      HandlerTable.<Void, Active, Event, State>builder()
          .on(MembersAdded.class, (self, state, e) -> ActiveMembership.membersAdded(state, e.members()))
          .on(MemberLeft.class, (self, state, e) -> ActiveMembership.memberLeft(state, e.userId()))
          .on(MembersRemoved.class, (self, state, e) -> ActiveMembership.membersRemoved(state, e.members()))
          .on(RoleChanged.class, (self, state, e) -> ActiveMembership.roleChanged(state, e.userId(), e.admin()))
          .on(PostingChanged.class, (self, state, e) -> ActiveMembership.postingChanged(state, e.adminsOnly()))
          .on(Renamed.class, (self, state, e) -> ActiveMembership.renamed(state, e.title()))
          .on(MembershipSettled.class, (self, state, e) -> ActiveMembership.membershipSettled(state))
          .on(BecameLarge.class, (self, state, e) -> ActiveMembership.becameLarge(state, e.rows()))
          .on(LargeMembersChanged.class, (self, state, e) -> ActiveMembership.largeMembersChanged(state,
              e.added().stream().map(id -> new GroupMembers.Row(id, e.since(), e.since())).toList(), e.removed()))
          .on(MemberRowsWritten.class, (self, state, e) ->
              ActiveMembership.memberRowsWritten(state, e.added(), e.removed()))
          .on(ReceiptsCounted.class, (self, state, e) -> ActiveMessages.receiptsCounted(state, e.added()))
          .on(MessagesAccepted.class, (self, state, e) -> ActiveMessages.messagesAccepted(state, e))
          .on(DedupSpilled.class, (self, state, e) -> ActiveMessages.dedupSpilled(state, e))
          .on(MessageDeleted.class, (self, state, e) -> ActiveMessages.messageDeleted(state, e))
          .on(DeletionNoticesSettled.class, (self, state, e) ->
              ActiveMessages.deletionNoticesSettled(state, e.settled()))
          .on(MemberErased.class, (self, state, e) -> ActiveMembership.memberErased(state, e))
          .on(SegmentArchived.class, (self, state, e) -> ActiveMessages.segmentArchived(state, e))
          .on(JournalTrimmed.class, (self, state, e) -> ActiveMessages.journalTrimmed(state, e.throughSeqNr()))
          .on(HandoffsConfirmed.class, (self, state, e) ->
              ActiveMessages.handoffsConfirmed(state, e.storedThrough()))
          .on(ReceiptRecorded.class, (self, state, e) ->
              ActiveMessages.receiptsRecorded(state, List.of(new Receipt(e.userId(), e.status(), e.seq()))))
          .on(ReceiptsRecorded.class, (self, state, e) -> ActiveMessages.receiptsRecorded(state, e.receipts()))
          // Events of the Empty state never repeat on an Active one.
          .on(Event.class, (self, state, e) -> state)
          .build();
}
