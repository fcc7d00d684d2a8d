package io.parley.cluster;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Deletes a persistent entity's journal events and snapshots up to a sequence number, then stops.
 *
 * <p>Typed persistence deletes events and snapshots only as a side effect of its count-based
 * retention, which always keeps the latest few: an erased account must keep nothing from before
 * its erasure, so its entity deletes exactly that prefix through this classic helper (public API,
 * no plugin internals). It replays nothing ({@link Recovery#none()}) and writes nothing, so it
 * never competes with the entity, which stays the only writer of its persistence id. It answers
 * {@code replyTo} with {@code onSuccess} once both are deleted, or {@code onFailure}.
 */
public final class JournalEraser extends AbstractPersistentActor {
  private final String persistenceId;
  private final long throughSequenceNr;
  private final ActorRef replyTo;
  private final Object onSuccess;
  private final Object onFailure;

  public static Props props(
      String persistenceId, long throughSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    return Props.create(JournalEraser.class,
        () -> new JournalEraser(persistenceId, throughSequenceNr, replyTo, onSuccess, onFailure));
  }

  private JournalEraser(
      String persistenceId, long throughSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    this.persistenceId = persistenceId;
    this.throughSequenceNr = throughSequenceNr;
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
        .match(RecoveryCompleted.class, done -> deleteMessages(Math.min(throughSequenceNr, lastSequenceNr())))
        .matchAny(ignored -> {})
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(DeleteMessagesSuccess.class, ok ->
            deleteSnapshots(SnapshotSelectionCriteria.create(throughSequenceNr, Long.MAX_VALUE)))
        .match(DeleteSnapshotsSuccess.class, ok -> finish(onSuccess))
        .match(DeleteMessagesFailure.class, failed -> failed("events", failed.cause()))
        .match(DeleteSnapshotsFailure.class, failed -> failed("snapshots", failed.cause()))
        .build();
  }

  @Override
  public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
    replyTo.tell(onFailure, ActorRef.noSender());
  }

  private void failed(String what, Throwable cause) {
    // No persistence id in the log: it names the (erased) user. The entity retries.
    getContext().getSystem().log().warning("Deleting an erased entity's {} failed: {}", what, cause);
    finish(onFailure);
  }

  private void finish(Object reply) {
    replyTo.tell(reply, ActorRef.noSender());
    getContext().stop(getSelf());
  }
}
