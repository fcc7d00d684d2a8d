package io.parley.user;

import io.parley.cluster.EventBatches;
import io.parley.cluster.HandlerTable;
import io.parley.cluster.WriteBatch;
import io.parley.metrics.ParleyMetrics;
import io.parley.user.UserActor.Batch;
import io.parley.user.UserActor.Command;
import io.parley.user.UserActor.Connect;
import io.parley.user.UserActor.ConversationChanged;
import io.parley.user.UserActor.Deliver;
import io.parley.user.UserActor.DeliverReceipt;
import io.parley.user.UserActor.Disconnect;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.MarkRead;
import io.parley.user.UserActor.MessageDeleted;
import io.parley.user.UserActor.RegisterPushToken;
import io.parley.user.UserActor.SenderErased;
import io.parley.user.UserActor.Sync;
import io.parley.user.UserActor.UnregisterPushToken;
import io.parley.user.UserActor.Writes;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * The user's group commit: commands that write ({@link Writes}) wait in a {@link WriteBatch} while
 * the entity's write is in flight, and the next {@link Flush} decides them in arrival order (each
 * against what the earlier ones staged, see {@link StagedWrite}) and stores their events in one
 * write; replies and deliveries follow once it is stored.
 */
final class UserWrites {
  /** Decides and stores what waits: sent by the entity to itself. */
  enum Flush implements UserActor.Internal { INSTANCE }

  /** Acks accepted a while ago, or a sync that waited in vain, are stored even if nothing else writes. */
  enum FlushAcks implements UserActor.Internal { INSTANCE }

  private final ActorContext<Command> ctx;
  private final EffectFactories<Event, UserState> effects;
  private final DeliveryStream stream;
  private final InboxCommands inbox;
  private final DeviceConnections connections;
  private final GroupConsent consent;
  private final Passivation passivation;
  private final LongSupplier incarnation;
  private final WriteBatch<Writes> waiting = new WriteBatch<>();
  private StagedWrite inFlight; // the write being stored

  UserWrites(ActorContext<Command> ctx, EffectFactories<Event, UserState> effects, DeliveryStream stream,
      InboxCommands inbox, DeviceConnections connections, GroupConsent consent, Passivation passivation,
      LongSupplier incarnation) {
    this.ctx = ctx;
    this.effects = effects;
    this.stream = stream;
    this.inbox = inbox;
    this.connections = connections;
    this.consent = consent;
    this.passivation = passivation;
    this.incarnation = incarnation;
  }

  /** Nothing waits to be written, acks included. */
  boolean idle() {
    return waiting.isEmpty() && !stream.acksWaiting();
  }

  /** Commands that write wait for the next flush, which stores all of them in one write. */
  Effect<Event, UserState> stage(Writes command) {
    if (waiting.add(command)) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    return effects.none();
  }

  /** See {@link Sync}: one that names a copy not stored yet waits for its write. */
  Effect<Event, UserState> sync(UserState state, Sync cmd) {
    if (cmd.conversationId() != null && stream.acksWaiting()
        && state.storedThrough.getOrDefault(cmd.conversationId(), 0L) < cmd.seq()) {
      stream.syncWithNextWrite(cmd.replyTo());
      return effects.none();
    }
    return stage(cmd);
  }

  /** Stops once what waits to be written is stored (its flush is already on its way). */
  Effect<Event, UserState> stopOnceStored() {
    if (!idle()) {
      if (stream.acksWaiting()) {
        ctx.getSelf().tell(Flush.INSTANCE);
      }
      ctx.getSelf().tell(UserActor.stopMessage());
      return effects.none();
    }
    return effects.stop();
  }

  /**
   * Decides every waiting write command in arrival order (each against what the earlier ones
   * staged) and stores their events in one write; replies and deliveries follow once it is stored.
   */
  Effect<Event, UserState> flush(UserState state) {
    StagedWrite write = new StagedWrite(state);
    stream.storeAcks(write);
    Writes command;
    int commands = 0;
    while (!write.full() && (command = waiting.poll()) != null) {
      DECIDE.apply(this, state, command).accept(write);
      commands++;
    }
    ParleyMetrics.groupCommit(UserActor.TYPE_KEY.name(), commands);
    if (waiting.needsFlush()) {
      ctx.getSelf().tell(Flush.INSTANCE);
    }
    if (write.events().isEmpty()) {
      write.runAfterWrite(state);
      return effects.none();
    }
    inFlight = write;
    return effects.persist(EventBatches.persistable(write.events(), Batch::new)).thenRun(stored -> {
      inFlight = null;
      write.runAfterWrite(stored);
      connections.inboxChanged(stored);
    });
  }

  /**
   * The write being stored failed, and the entity restarts (Pekko keeps the commands that arrived
   * meanwhile): those of its commands that have a refusal to give are told at once, rather than
   * left to the gateway's timeout.
   */
  void writeFailed() {
    if (inFlight != null) {
      inFlight.refused();
      inFlight = null;
    }
  }

  /** What each write command adds to the write a flush decides (see {@link HandlerTable}). */
  private static final HandlerTable<UserWrites, UserState, Writes, Consumer<StagedWrite>> DECIDE =
      HandlerTable.<UserWrites, UserState, Writes, Consumer<StagedWrite>>builder()
          .on(Deliver.class, (self, state, cmd) -> write -> self.stream.deliver(cmd, write))
          .on(DeliverReceipt.class, (self, state, cmd) -> write -> self.stream.receipt(state, cmd, write))
          .on(Sync.class, (self, state, cmd) -> write -> write.answer(cmd.replyTo(), "the acks"))
          .on(ConversationChanged.class, (self, state, cmd) -> write -> self.inbox.conversationChanged(cmd, write))
          .on(MessageDeleted.class, (self, state, cmd) -> write -> {
            if (self.stream.deletion(state, cmd, write)) {
              self.inbox.messageDeleted(state, cmd, write);
            }
          })
          .on(SenderErased.class, (self, state, cmd) -> write -> self.inbox.senderErased(state, cmd, write))
          .on(MarkRead.class, (self, state, cmd) -> write -> {
            self.passivation.touch();
            self.inbox.markRead(state, cmd, write);
          })
          .on(Connect.class, (self, state, cmd) -> write -> {
            self.passivation.touch();
            self.connections.connect(state, cmd, write, self.incarnation.getAsLong());
            write.then(stored -> self.consent.showInvites(stored, cmd.connection()));
          })
          .on(Disconnect.class, (self, state, cmd) -> write -> {
            self.passivation.touch();
            self.connections.disconnect(state, cmd, write);
          })
          .on(RegisterPushToken.class, (self, state, cmd) -> write -> {
            write.registerPushToken(cmd.token());
            write.answer(cmd.replyTo(), "the push token");
          })
          .on(UnregisterPushToken.class, (self, state, cmd) -> write -> {
            write.unregisterPushToken(cmd.token());
            write.answer(cmd.replyTo(), "the push token's removal");
          })
          .build();
}
