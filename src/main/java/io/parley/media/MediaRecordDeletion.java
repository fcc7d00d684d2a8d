package io.parley.media;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Deletes every stored event and snapshot of one media record (they name its uploader and the
 * conversations it was shared in), then stops. Typed persistence deletes events only as a side
 * effect of its snapshot retention; this classic helper replays nothing and writes nothing, and
 * runs once its {@link MediaActor} has recorded the erasure, so that the entity writes no more.
 */
final class MediaRecordDeletion extends AbstractPersistentActor {
  private final String persistenceId;
  private final CompletableFuture<Void> done;
  private boolean eventsDeleted;
  private boolean snapshotsDeleted;

  /** Started as a child of {@code parent}; completes once both the journal and the snapshot store confirmed. */
  static CompletionStage<Void> run(
      org.apache.pekko.actor.typed.javadsl.ActorContext<?> parent, String persistenceId) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Adapter.actorOf(parent, Props.create(MediaRecordDeletion.class, () -> new MediaRecordDeletion(persistenceId, done)));
    return done;
  }

  private MediaRecordDeletion(String persistenceId, CompletableFuture<Void> done) {
    this.persistenceId = persistenceId;
    this.done = done;
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
        .match(RecoveryCompleted.class, recovered -> {
          deleteMessages(lastSequenceNr());
          deleteSnapshots(SnapshotSelectionCriteria.latest());
        })
        .matchAny(ignored -> {})
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(DeleteMessagesSuccess.class, ok -> {
          eventsDeleted = true;
          finishIfDone();
        })
        .match(DeleteSnapshotsSuccess.class, ok -> {
          snapshotsDeleted = true;
          finishIfDone();
        })
        .match(DeleteMessagesFailure.class, failed -> fail(failed.cause()))
        .match(DeleteSnapshotsFailure.class, failed -> fail(failed.cause()))
        .build();
  }

  @Override
  public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
    done.completeExceptionally(cause);
  }

  private void finishIfDone() {
    if (eventsDeleted && snapshotsDeleted) {
      done.complete(null);
      getContext().stop(getSelf());
    }
  }

  private void fail(Throwable cause) {
    done.completeExceptionally(cause);
    getContext().stop(getSelf());
  }
}
