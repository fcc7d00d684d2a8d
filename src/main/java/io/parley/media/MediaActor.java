package io.parley.media;

import io.parley.cluster.Done;
import io.parley.cluster.EntityLifecycle;
import io.parley.cluster.JournalEraser;
import io.parley.cluster.JsonSerializable;
import io.parley.cluster.Outcome.Reason;
import io.parley.cluster.Outcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One uploaded media object: who uploaded it, its type and size, and the conversations it was
 * shared in. Its uploader and the members of those conversations may fetch it.
 *
 * <p>A conversation is granted here <em>before</em> the message carrying the URL is sent
 * (grant-then-send): a crash in between leaves at most a grant to members of a conversation the
 * sender chose, never a member who received the URL unable to fetch it. Such a grant is pending
 * until its send is settled ({@link Settle}): kept if the message was stored, withdrawn if the
 * send was a repeat of one stored before (its client_msg_id), which stored nothing.
 *
 * <p>An upload never shared is expired by the {@link UnsentMediaSweep}: from then on it is not
 * found, and cannot be shared, so that no message is sent with media whose object is deleted.
 */
public final class MediaActor
    extends EventSourcedBehavior<MediaActor.Command, MediaActor.Event, MediaActor.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "media");

  public static PersistenceId persistenceId(String mediaId) {
    return PersistenceId.of("Media", mediaId);
  }

  // ---------------------------------------------------------------------------------- commands

  public sealed interface Command extends JsonSerializable {}

  /**
   * The object is stored in S3 at {@code objectKey}: record it. Repeating the same registration
   * is harmless. A null key (from a node older than the per-uploader layout) means the legacy
   * key, see {@link MediaKeys}.
   */
  public record Register(
      String uploaderId, String contentType, long size, String objectKey, ActorRef<Outcome<Media>> replyTo)
      implements Command {}

  /**
   * Grants the members of {@code conversationId} access, pending the send that carries the media
   * ({@link Settle}), unless they have it for good already. Each share of a pending grant counts.
   */
  public record Share(String conversationId, ActorRef<Outcome<Media>> replyTo) implements Command {}

  /**
   * The send a {@link Share} was for is settled: {@code stored} (a new message carries the media:
   * the grant is for good) or a repeat (nothing was stored: its share is withdrawn, and the grant
   * with it if no other send of the media there is pending). Harmless for a grant not pending.
   */
  public record Settle(String conversationId, boolean stored, ActorRef<Outcome<Media>> replyTo) implements Command {}

  public record Get(ActorRef<Outcome<Media>> replyTo) implements Command {}

  /**
   * The object is about to be deleted unless it was shared: OK if it was not (it is expired from
   * now on, and its object may go), refused if it was. Also OK for an id with no record, whose
   * object nobody could ever fetch.
   */
  public record ExpireIfUnsent(ActorRef<Outcome<Done>> replyTo) implements Command {}

  /**
   * Its uploader's account is erased: the record goes (uploader, conversations), events and
   * snapshots included, and the media is not found from then on. Repeating it is harmless.
   */
  public record Erase(ActorRef<Outcome<Done>> replyTo) implements Command {}

  /** The stored record was deleted ({@link JournalEraser}), or {@code failure}. */
  record RecordDeleted(ActorRef<Outcome<Done>> replyTo, String failure) implements Command {}

  enum Stop implements Command {
    INSTANCE
  }

  /** What sharding sends to stop this entity when it passivates or its shard moves. */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  // ------------------------------------------------------------------------------------ events

  public sealed interface Event extends JsonSerializable {}

  /** {@code objectKey}: null in events stored before it was recorded, whose object has the legacy key. */
  public record Uploaded(String uploaderId, String contentType, long size, long ts, String objectKey)
      implements Event {}

  /** {@code pending}: until its send is settled; null or false (as before it existed) for good. */
  public record SharedIn(String conversationId, Boolean pending) implements Event {
    public SharedIn(String conversationId) {
      this(conversationId, null);
    }
  }

  /** A pending share's send was settled: {@code stored} keeps the grant for good; else it is withdrawn. */
  public record ShareSettled(String conversationId, boolean stored) implements Event {}

  /** Never shared, and kept too long so: gone. */
  public record UnsentExpired() implements Event {}

  /** Erased with its uploader's account; the events and snapshots before it are deleted next. */
  public record Erased() implements Event {}

  // ------------------------------------------------------------------------------------- state

  public sealed interface State extends JsonSerializable {}

  /** No object registered under this id (never uploaded, or the upload did not complete). */
  public record NotUploaded() implements State {}

  /**
   * {@code objectKey}: where the object is, or null for the legacy key (see {@link MediaKeys}).
   * {@code conversations}: every one granted, pending or for good; {@code pending}: those whose
   * grant waits for its sends to be settled, with how many (empty in snapshots from before it).
   */
  public record Media(
      String uploaderId, String contentType, long size, long uploadedTs, List<String> conversations,
      String objectKey, Map<String, Integer> pending)
      implements State {

    public Media {
      pending = pending == null ? Map.of() : pending;
    }

    public Media(String uploaderId, String contentType, long size, long uploadedTs, List<String> conversations,
        String objectKey) {
      this(uploaderId, contentType, size, uploadedTs, conversations, objectKey, Map.of());
    }

    public boolean isSharedIn(String conversationId) {
      return conversations.contains(conversationId);
    }

    /** Granted there for good: a message there carries it. */
    public boolean isSentIn(String conversationId) {
      return isSharedIn(conversationId) && !pending.containsKey(conversationId);
    }

    Media sharedIn(String conversationId, boolean pendingSend) {
      List<String> shared = new ArrayList<>(conversations);
      if (!shared.contains(conversationId)) {
        shared.add(conversationId);
      }
      Map<String, Integer> waiting = new HashMap<>(pending);
      if (pendingSend) {
        waiting.merge(conversationId, 1, Integer::sum);
      }
      return new Media(uploaderId, contentType, size, uploadedTs, List.copyOf(shared), objectKey, Map.copyOf(waiting));
    }

    Media settled(String conversationId, boolean stored) {
      Map<String, Integer> waiting = new HashMap<>(pending);
      List<String> shared = new ArrayList<>(conversations);
      if (stored) {
        waiting.remove(conversationId);
      } else if (waiting.merge(conversationId, -1, Integer::sum) <= 0) {
        waiting.remove(conversationId);
        shared.remove(conversationId);
      }
      return new Media(uploaderId, contentType, size, uploadedTs, List.copyOf(shared), objectKey, Map.copyOf(waiting));
    }
  }

  /** Expired unsent ({@link UnsentExpired}): its object is deleted, or about to be. */
  public record Expired() implements State {}

  // ------------------------------------------------------------------------------------ wiring

  public static Behavior<Command> create(String mediaId, MediaSettings settings, Clock clock) {
    return Behaviors.setup(ctx -> new MediaActor(mediaId, settings, clock, ctx));
  }

  private final String mediaId;
  private final MediaSettings settings;
  private final Clock clock;
  private final ActorContext<Command> ctx;
  private final EntityLifecycle<State> lifecycle = new EntityLifecycle<>(TYPE_KEY.name());

  private MediaActor(String mediaId, MediaSettings settings, Clock clock, ActorContext<Command> ctx) {
    super(persistenceId(mediaId), EntityLifecycle.onPersistenceFailure());
    this.mediaId = mediaId;
    this.settings = settings;
    this.clock = clock;
    this.ctx = ctx;
  }

  @Override
  public State emptyState() {
    return new NotUploaded();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // The state is all there is to know: events before a snapshot are not needed again.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return lifecycle.signals(newSignalHandlerBuilder(), state -> {});
  }

  // ---------------------------------------------------------------------------- command handler

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    var builder = newCommandHandlerBuilder();
    builder
        .forStateType(NotUploaded.class)
        .onCommand(Register.class, this::onRegister)
        .onCommand(Share.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Settle.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Get.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(ExpireIfUnsent.class, (state, cmd) -> expire(cmd))
        // Again, or after a crash half-way: whatever is still stored goes.
        .onCommand(Erase.class, (state, cmd) -> Effect().none().thenRun(erased -> deleteRecord(cmd.replyTo())));
    builder
        .forStateType(Media.class)
        .onCommand(Register.class, this::onRegisterAgain)
        .onCommand(Share.class, this::onShare)
        .onCommand(Settle.class, this::onSettle)
        .onCommand(Get.class, (state, cmd) -> reply(cmd.replyTo(), Outcome.ok(state)))
        .onCommand(ExpireIfUnsent.class, (state, cmd) -> state.conversations().isEmpty()
            ? expire(cmd)
            : reply(cmd.replyTo(), Outcome.rejected(Reason.BAD_REQUEST, "media " + mediaId + " was sent")))
        .onCommand(Erase.class, (state, cmd) -> erase(cmd));
    builder
        .forStateType(Expired.class)
        .onCommand(Register.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Share.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Settle.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(Get.class, (state, cmd) -> replyNotFound(cmd.replyTo()))
        .onCommand(ExpireIfUnsent.class, (state, cmd) -> reply(cmd.replyTo(), Outcome.ok(Done.INSTANCE)))
        // Its events still name the uploader.
        .onCommand(Erase.class, (state, cmd) -> erase(cmd));
    builder.forAnyState().onCommand(RecordDeleted.class, (state, cmd) -> reply(cmd.replyTo(),
        cmd.failure() == null ? Outcome.ok(Done.INSTANCE) : Outcome.rejected(Reason.UNAVAILABLE, cmd.failure())));
    builder.forAnyState().onCommand(Stop.class, (state, cmd) -> Effect().stop());
    return builder.build();
  }

  private Effect<Event, State> onRegister(NotUploaded state, Register cmd) {
    return Effect()
        .persist(new Uploaded(cmd.uploaderId(), cmd.contentType(), cmd.size(), clock.millis(), cmd.objectKey()))
        .thenRun((State newState) -> cmd.replyTo().tell(Outcome.ok((Media) newState)));
  }

  private Effect<Event, State> onRegisterAgain(Media state, Register cmd) {
    boolean same = state.uploaderId().equals(cmd.uploaderId())
        && state.contentType().equals(cmd.contentType())
        && state.size() == cmd.size()
        && Objects.equals(state.objectKey(), cmd.objectKey());
    return reply(cmd.replyTo(), same
        ? Outcome.ok(state)
        : Outcome.rejected(Reason.BAD_REQUEST, "media " + mediaId + " is already registered"));
  }

  private Effect<Event, State> onShare(Media state, Share cmd) {
    if (state.isSentIn(cmd.conversationId())) {
      return reply(cmd.replyTo(), Outcome.ok(state));
    }
    if (!state.isSharedIn(cmd.conversationId()) && state.conversations().size() >= settings.maxConversations()) {
      return reply(cmd.replyTo(), Outcome.rejected(Reason.BAD_REQUEST,
          "this media was shared in " + settings.maxConversations()
              + " conversations already; upload it again to share it further"));
    }
    return Effect()
        .persist(new SharedIn(cmd.conversationId(), true))
        .thenRun((State newState) -> cmd.replyTo().tell(Outcome.ok((Media) newState)));
  }

  private Effect<Event, State> onSettle(Media state, Settle cmd) {
    if (!state.pending().containsKey(cmd.conversationId())) {
      return reply(cmd.replyTo(), Outcome.ok(state));
    }
    return Effect()
        .persist(new ShareSettled(cmd.conversationId(), cmd.stored()))
        .thenRun((State newState) -> cmd.replyTo().tell(Outcome.ok((Media) newState)));
  }

  private Effect<Event, State> expire(ExpireIfUnsent cmd) {
    return Effect().persist(new UnsentExpired()).thenRun((State newState) -> cmd.replyTo().tell(Outcome.ok(Done.INSTANCE)));
  }

  private Effect<Event, State> erase(Erase cmd) {
    return Effect().persist(new Erased()).thenRun(erased -> deleteRecord(cmd.replyTo()));
  }

  /** All of the record's events and snapshots go, the erasure's own included: nothing is left to read. */
  private void deleteRecord(ActorRef<Outcome<Done>> replyTo) {
    Adapter.actorOf(ctx, JournalEraser.eventsAndSnapshots(persistenceId().id(), Long.MAX_VALUE,
        Adapter.toClassic(ctx.getSelf()), new RecordDeleted(replyTo, null),
        new RecordDeleted(replyTo, "deleting the record's events or snapshots failed")));
  }

  private Effect<Event, State> replyNotFound(ActorRef<Outcome<Media>> replyTo) {
    return reply(replyTo, Outcome.rejected(Reason.NOT_FOUND, "no media " + mediaId));
  }

  private <T> Effect<Event, State> reply(ActorRef<T> replyTo, T message) {
    replyTo.tell(message);
    return Effect().none();
  }

  // ------------------------------------------------------------------------------ event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder
        .forStateType(NotUploaded.class)
        .onEvent(Uploaded.class, (state, e) ->
            new Media(e.uploaderId(), e.contentType(), e.size(), e.ts(), List.of(), e.objectKey()))
        .onEvent(UnsentExpired.class, (state, e) -> new Expired());
    builder
        .forStateType(Media.class)
        .onEvent(SharedIn.class, (state, e) -> state.sharedIn(e.conversationId(), Boolean.TRUE.equals(e.pending())))
        .onEvent(ShareSettled.class, (state, e) -> state.settled(e.conversationId(), e.stored()))
        .onEvent(UnsentExpired.class, (state, e) -> new Expired())
        .onEvent(Erased.class, (state, e) -> new NotUploaded());
    builder
        .forStateType(Expired.class)
        .onEvent(Erased.class, (state, e) -> new NotUploaded());
    builder.forAnyState().onAnyEvent((state, e) -> state);
    return builder.build();
  }
}
