package io.parley.conversation;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.Outcome.Reason;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Delete;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.MessageDeleted;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import java.time.Clock;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * Deleting a message for everyone. Only its sender may, so the message is read first (it may be
 * in the journal or in S3); the deletion is then recorded ({@link MessageDeleted}), readers show
 * a tombstone from then on, and every member is told until they confirm it ({@link DeletionNotices}).
 */
final class MessageDeletion {
  /** The message a {@link Delete} names, read to check who sent it (null: the read failed). */
  record DeleteChecked(Delete delete, ChatMessage message, String failure) implements Command {}

  private final String conversationId;
  private final ActorContext<Command> ctx;
  private final EffectFactories<Event, State> effects;
  private final MessageReader reader;
  private final MemberHandoffs.Locator locator;
  private final DeletionNotices notices;
  private final GroupRelays relays;
  private final Clock clock;
  private final KnownMembers known;

  MessageDeletion(String conversationId, ActorContext<Command> ctx, EffectFactories<Event, State> effects,
      MessageReader reader, MemberHandoffs.Locator locator, DeletionNotices notices, GroupRelays relays,
      Clock clock, KnownMembers known) {
    this.conversationId = conversationId;
    this.ctx = ctx;
    this.effects = effects;
    this.reader = reader;
    this.locator = locator;
    this.notices = notices;
    this.relays = relays;
    this.clock = clock;
    this.known = known;
  }

  /** Reads the message first: only its sender may delete it. */
  Effect<Event, State> request(Active state, Delete cmd) {
    if (!state.isMember(cmd.userId(), known)) {
      cmd.replyTo().tell(ConversationActor.notMember(conversationId, cmd.userId()));
    } else if (cmd.seq() < 1 || cmd.seq() > state.lastSeq) {
      cmd.replyTo().tell(Outcome.rejected(Reason.NOT_FOUND, conversationId + " has no message " + cmd.seq()));
    } else {
      ctx.pipeToSelf(reader.read(conversationId, locator.locate(state, cmd.seq(), cmd.seq())),
          (read, failure) -> failure == null
              ? new DeleteChecked(cmd, read.get(0), null)
              : new DeleteChecked(cmd, null, failure.toString()));
    }
    return effects.none();
  }

  Effect<Event, State> checked(Active state, DeleteChecked checked) {
    Delete cmd = checked.delete();
    if (checked.message() == null) {
      ctx.getLog().warn("Could not read message {} of {} to delete it: {}", cmd.seq(), conversationId, checked.failure());
      cmd.replyTo().tell(Outcome.rejected(Reason.UNAVAILABLE, "could not delete message " + cmd.seq() + " now; retry"));
      return effects.none();
    }
    // An erased account's messages are not those of the same id come back (it starts afresh).
    if (!checked.message().senderId().equals(cmd.userId()) || !state.isMember(cmd.userId(), known)
        || cmd.seq() <= state.erasedThrough(cmd.userId())) {
      cmd.replyTo().tell(Outcome.rejected(Reason.BAD_REQUEST,
          "only its sender, while a member, may delete message " + cmd.seq() + " of " + conversationId));
      return effects.none();
    }
    if (state.deleted.contains(cmd.seq())) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return effects.none();
    }
    if (state.deleted.count() >= DeletedMessages.MAX) {
      cmd.replyTo().tell(Outcome.rejected(Reason.TOO_LARGE,
          conversationId + " has " + DeletedMessages.MAX + " deleted messages, the most it keeps"));
      return effects.none();
    }
    return effects.persist(new MessageDeleted(cmd.seq(), clock.millis(), cmd.userId()))
        .thenRun(newState -> {
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
          notices.tell((Active) newState, cmd.seq()); // each member until they confirm it
          relays.deleted(cmd.seq()); // a large group's connected members (it has no members listed)
        });
  }
}
