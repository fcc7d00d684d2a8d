package io.parley.push;

import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.EntityLifecycle;
import io.parley.cluster.JournalEraser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Which user a push token belongs to. A phone that signs in as another user registers the same
 * token again; it then belongs only to the latest user, and each earlier owner is told to drop
 * it, until that user confirms (retried after a crash), so one user's pushes never wake another
 * user's device.
 */
public final class PushTokenOwner
    extends EventSourcedBehavior<PushTokenOwner.Command, PushTokenOwner.Event, PushTokenOwner.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "push-token");


  /** Tokens can be long: the entity id is a digest of platform and token. */
  public static String entityId(PushToken token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((token.platform() + ":" + token.token()).getBytes(StandardCharsets.UTF_8));
      return token.platform() + "-" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  /** {@code userId} registers the token; the reply comes once that is stored. */
  public record Claim(String userId, PushToken token, ActorRef<Outcome<Done>> replyTo) implements Command {}

  /**
   * {@code userId}'s account is erased: if the token is still theirs, the record forgets them and
   * its journal and snapshots are deleted; answered once that is done.
   */
  public record Forget(String userId, ActorRef<Outcome<Done>> replyTo) implements Command {}

  /** The journal's events and snapshots through {@code throughSeqNr} were deleted, or not. */
  record JournalErased(long throughSeqNr, boolean deleted, ActorRef<Outcome<Done>> replyTo) implements Command {}

  record Released(String userId) implements Command {}

  record ReleaseFailed(String userId) implements Command {}

  enum Stop implements Command {
    INSTANCE
  }

  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  public record OwnerChanged(String owner, PushToken token) implements Event {}

  public record OwnerReleased(String userId) implements Event {}

  /** The owner's account was erased: no owner (the token is kept only while earlier owners are being released). */
  public record OwnerForgotten() implements Event {}

  // ------------------------------------------------------------------------------------- state

  /** {@code releasing}: earlier owners that have not yet confirmed they dropped the token. */
  public record State(String owner, PushToken token, TreeSet<String> releasing) implements JsonSerializable {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(
      String entityId, ActorRef<ClusterSharding.ShardCommand> shard, TokenHolders holders) {
    return Behaviors.setup(ctx -> new PushTokenOwner(entityId, ctx, shard, holders));
  }

  private final ActorContext<Command> ctx;
  private final EntityLifecycle<State> lifecycle;
  private final TokenHolders holders;
  /** A {@link JournalEraser} is under way (memory only). */
  private boolean erasingJournal;

  private PushTokenOwner(
      String entityId, ActorContext<Command> ctx, ActorRef<ClusterSharding.ShardCommand> shard, TokenHolders holders) {
    super(PersistenceId.of("PushToken", entityId), EntityLifecycle.onPersistenceFailure());
    this.ctx = ctx;
    this.lifecycle = new EntityLifecycle<>(TYPE_KEY.name(), ctx, shard);
    this.holders = holders;
  }

  @Override
  public State emptyState() {
    return new State(null, null, new TreeSet<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return lifecycle.signals(newSignalHandlerBuilder(), this::releaseOrPassivate);
  }

  // ---------------------------------------------------------------------------- command handler

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Forget.class, this::onForget)
        .onCommand(JournalErased.class, (state, cmd) -> {
          erasingJournal = false;
          cmd.replyTo().tell(cmd.deleted() ? Outcome.ok(Done.INSTANCE)
              : Outcome.rejected(Outcome.Reason.UNAVAILABLE, "the push token record could not be deleted"));
          return Effect().unstashAll();
        })
        .onCommand(Released.class, (state, cmd) ->
            Effect().persist(new OwnerReleased(cmd.userId())).thenRun(this::releaseOrPassivate))
        .onCommand(ReleaseFailed.class, (state, cmd) -> {
          release(state.token(), cmd.userId());
          return Effect().none();
        })
        // Passivating (it does right after a recovery) waits for a deletion under way, which answers the erasure.
        .onCommand(Stop.class, (state, cmd) -> erasingJournal ? Effect().stash() : Effect().stop())
        .build();
  }

  private Effect<Event, State> onClaim(State state, Claim cmd) {
    if (cmd.userId().equals(state.owner())) {
      cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
      return Effect().none();
    }
    return Effect()
        .persist(new OwnerChanged(cmd.userId(), cmd.token()))
        .thenRun(newState -> {
          cmd.replyTo().tell(Outcome.ok(Done.INSTANCE));
          releaseOrPassivate(newState);
        });
  }

  private Effect<Event, State> onForget(State state, Forget cmd) {
    if (cmd.userId().equals(state.owner())) {
      return Effect().persist(new OwnerForgotten()).thenRun(forgotten -> eraseJournalOrAnswer(forgotten, cmd.replyTo()));
    }
    // Forgotten before, and its journal perhaps not deleted yet: deleting again is harmless.
    return Effect().none().thenRun(unchanged -> eraseJournalOrAnswer(unchanged, cmd.replyTo()));
  }

  /** With no owner and nobody to release, the record is empty: nothing of it needs keeping. */
  private void eraseJournalOrAnswer(State state, ActorRef<Outcome<Done>> replyTo) {
    long through = lastSequenceNumber(ctx);
    if (state.owner() != null || !state.releasing().isEmpty() || through == 0) {
      replyTo.tell(Outcome.ok(Done.INSTANCE));
      return;
    }
    erasingJournal = true;
    Adapter.actorOf(ctx, JournalEraser.eventsAndSnapshots(persistenceId().id(), through, Adapter.toClassic(ctx.getSelf()),
        new JournalErased(through, true, replyTo), new JournalErased(through, false, replyTo)));
  }

  private void releaseOrPassivate(State state) {
    if (state.releasing().isEmpty()) {
      lifecycle.passivate();
    } else {
      state.releasing().forEach(previous -> release(state.token(), previous));
    }
  }

  private void release(PushToken token, String previousOwner) {
    ctx.pipeToSelf(
        holders.unregister(previousOwner, token),
        (done, failure) -> failure == null ? new Released(previousOwner) : new ReleaseFailed(previousOwner));
  }

  // ------------------------------------------------------------------------------ event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(OwnerChanged.class, (state, e) -> {
          TreeSet<String> releasing = new TreeSet<>(state.releasing());
          if (state.owner() != null) {
            releasing.add(state.owner());
          }
          releasing.remove(e.owner());
          return new State(e.owner(), e.token(), releasing);
        })
        .onEvent(OwnerForgotten.class, (state, e) ->
            new State(null, state.releasing().isEmpty() ? null : state.token(), state.releasing()))
        .onEvent(OwnerReleased.class, (state, e) -> {
          TreeSet<String> releasing = new TreeSet<>(state.releasing());
          releasing.remove(e.userId());
          return new State(state.owner(), state.token(), releasing);
        })
        .build();
  }
}
