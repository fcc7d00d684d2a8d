package io.parley.archive;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;

/**
 * Deletes a persistent entity's journal events up to a sequence number, then stops.
 *
 * <p>Typed persistence deletes events only as a side effect of its snapshot retention, and then
 * everything before the snapshot: a conversation must keep its hot messages, so it deletes
 * exactly the archived prefix through this classic helper. The helper replays nothing
 * ({@link Recovery#none()}) and writes nothing, so it never competes with the entity, which
 * stays the only writer of its persistence id. It answers {@code replyTo} with
 * {@code onSuccess} or {@code onFailure}.
 */
public final class JournalTrimmer extends AbstractPersistentActor {
  private final String persistenceId;
  private final long toSequenceNr;
  private final ActorRef replyTo;
  private final Object onSuccess;
  private final Object onFailure;

  public static Props props(
      String persistenceId, long toSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    return Props.create(
        JournalTrimmer.class,
        () -> new JournalTrimmer(persistenceId, toSequenceNr, replyTo, onSuccess, onFailure));
  }

  private JournalTrimmer(
      String persistenceId, long toSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    this.persistenceId = persistenceId;
    this.toSequenceNr = toSequenceNr;
    this.replyTo = replyTo;
    this.onSuccess = onSuccess;
    this.onFailure = onFailure;
  }

  @Override
  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public Recovery recovery() {
    return Recovery.none();
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder()
        .match(RecoveryCompleted.class, done -> deleteMessages(toSequenceNr))
        .matchAny(ignored -> {})
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(DeleteMessagesSuccess.class, ok -> finish(onSuccess))
        .match(DeleteMessagesFailure.class, failed -> {
          getContext().getSystem().log().warning(
              "Deleting events of {} through {} failed: {}", persistenceId, toSequenceNr, failed.cause());
          finish(onFailure);
        })
        .build();
  }

  @Override
  public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
    replyTo.tell(onFailure, ActorRef.noSender());
  }

  private void finish(Object reply) {
    replyTo.tell(reply, ActorRef.noSender());
    getContext().stop(getSelf());
  }
}
