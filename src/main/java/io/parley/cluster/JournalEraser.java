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
 * Deletes a persistent entity's journal events (and, if asked, its snapshots) up to a sequence
 * number, then stops.
 *
 * <p>Typed persistence deletes events and snapshots only as a side effect of its count-based
 * retention, which deletes everything before a snapshot and keeps the latest few: a conversation
 * must keep its hot messages, so it deletes exactly the archived prefix of its events
 * ({@link #events}); an erased account must keep nothing from before its erasure record
 * ({@link #eventsAndSnapshots}). This classic helper does it through the public persistence API,
 * no plugin internals. It replays nothing ({@link Recovery#none()}) and writes nothing, so it never
 * competes with the entity, which stays the only writer of its persistence id. It answers
 * {@code replyTo} with {@code onSuccess} once all is deleted, or {@code onFailure}.
 */
public final class JournalEraser extends AbstractPersistentActor {
  private final String persistenceId;
  private final long throughSequenceNr;
  private final boolean snapshotsToo;
  private final ActorRef replyTo;
  private final Object onSuccess;
  private final Object onFailure;

  /** The events through {@code throughSequenceNr}; snapshots stay. */
  public static Props events(
      String persistenceId, long throughSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    return Props.create(JournalEraser.class,
        () -> new JournalEraser(persistenceId, throughSequenceNr, false, replyTo, onSuccess, onFailure));
  }

  /** The events and the snapshots through {@code throughSequenceNr}. */
  public static Props eventsAndSnapshots(
      String persistenceId, long throughSequenceNr, ActorRef replyTo, Object onSuccess, Object onFailure) {
    return Props.create(JournalEraser.class,
        () -> new JournalEraser(persistenceId, throughSequenceNr, true, replyTo, onSuccess, onFailure));
  }

  private JournalEraser(String persistenceId, long throughSequenceNr, boolean snapshotsToo, ActorRef replyTo,
      Object onSuccess, Object onFailure) {
    this.persistenceId = persistenceId;
    this.throughSequenceNr = throughSequenceNr;
    this.snapshotsToo = snapshotsToo;
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
        .match(DeleteMessagesSuccess.class, ok -> {
          if (snapshotsToo) {
            deleteSnapshots(SnapshotSelectionCriteria.create(throughSequenceNr, Long.MAX_VALUE));
          } else {
            finish(onSuccess);
          }
        })
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
    // No persistence id in the log: it may name a user (an erased one). The entity retries.
    getContext().getSystem().log().warning("Deleting {} through {} failed: {}", what, throughSequenceNr, cause);
    finish(onFailure);
  }

  private void finish(Object reply) {
    replyTo.tell(reply, ActorRef.noSender());
    getContext().stop(getSelf());
  }
}
