package io.parley.user;

import io.parley.cluster.HandlerTable;
import io.parley.user.UserActor.Ack;
import io.parley.user.UserActor.Command;
import io.parley.user.UserActor.ConsentCommand;
import io.parley.user.UserActor.Erase;
import io.parley.user.UserActor.Event;
import io.parley.user.UserActor.GetExport;
import io.parley.user.UserActor.GetInbox;
import io.parley.user.UserActor.GetPending;
import io.parley.user.UserActor.LeaseAllowance;
import io.parley.user.UserActor.Mentioned;
import io.parley.user.UserActor.Notify;
import io.parley.user.UserActor.RenewPresence;
import io.parley.user.UserActor.ResumeErasure;
import io.parley.user.UserActor.Stop;
import io.parley.user.UserActor.SubscribePresence;
import io.parley.user.UserActor.Sync;
import io.parley.user.UserActor.UnsubscribePresence;
import io.parley.user.UserActor.WatchPresence;
import io.parley.user.UserActor.Writes;
import org.apache.pekko.persistence.typed.javadsl.Effect;

/**
 * The user's command handler: one table for every user entity, handing each command to one of the
 * entity's {@link UserJobs}. {@link UserState} is the entity's only state (every user starts with
 * an empty one), so one table holds every handler.
 */
final class UserCommands {
  private UserCommands() {}

  static Effect<Event, UserState> handle(UserJobs jobs, UserState state, Command command) {
    return COMMANDS.apply(jobs, state, command);
  }

  private static final HandlerTable<UserJobs, UserState, Command, Effect<Event, UserState>> COMMANDS =
      HandlerTable.<UserJobs, UserState, Command, Effect<Event, UserState>>builder()
          .on(Sync.class, (self, state, cmd) -> self.writes.sync(state, cmd))
          .on(Writes.class, (self, state, cmd) -> self.writes.stage(cmd))
          .on(UserWrites.Flush.class, (self, state, cmd) -> self.writes.flush(state))
          .on(UserWrites.FlushAcks.class, (self, state, cmd) -> self.writes.flush(state))
          .on(Ack.class, (self, state, cmd) -> self.touched(() -> self.stream.ack(state, cmd)))
          .on(Notify.class, (self, state, cmd) ->
              self.effects.none().thenRun(s -> self.connections.broadcast(cmd.event(), null)))
          .on(GetPending.class, (self, state, cmd) -> self.effects.reply(cmd.replyTo(), self.stream.pending(state, cmd)))
          .on(GetInbox.class, (self, state, cmd) -> self.touched(() -> self.inbox.page(state, cmd)))
          .on(Erase.class, (self, state, cmd) -> self.erasure.request(state, cmd))
          .on(Erasure.EraseStep.class, (self, state, cmd) -> self.erasure.step(state, cmd))
          .on(Erasure.ElsewhereErased.class, (self, state, cmd) -> self.erasure.elsewhereErased(state, cmd))
          .on(Erasure.IndexConsulted.class, (self, state, cmd) -> self.erasure.indexConsulted(state, cmd))
          .on(Erasure.OwnJournalErased.class, (self, state, cmd) -> self.erasure.journalErased(state, cmd))
          .on(Erasure.ErasingMarked.class, (self, state, cmd) -> self.erasure.erasingMarked(state, cmd))
          .on(ResumeErasure.class, (self, state, cmd) -> self.effects.reply(cmd.replyTo(), Erasure.resumed(state)))
          .on(GetExport.class, (self, state, cmd) -> self.effects.none().thenRun(s -> self.inbox.export(s, cmd)))
          .on(PresenceWatchers.PresenceChecked.class, (self, state, cmd) ->
              self.effects.none().thenRun(s -> self.connections.presenceChecked(cmd, s)))
          // A watcher's, not the user's: it keeps the entity no longer (see PresenceNotices).
          .on(SubscribePresence.class, (self, state, cmd) ->
              self.effects.none().thenRun(s -> self.connections.subscribe(cmd, s)))
          .on(RenewPresence.class, (self, state, cmd) -> self.effects.none().thenRun(s -> self.connections.renew(cmd, s)))
          .on(UnsubscribePresence.class, (self, state, cmd) ->
              self.effects.none().thenRun(s -> self.connections.unsubscribe(cmd)))
          .on(WatchPresence.class, (self, state, cmd) ->
              self.effects.none().thenRun(s -> self.connections.watchPresence(cmd, self.allowances)))
          .on(LeaseAllowance.class, (self, state, cmd) -> self.effects.reply(cmd.replyTo(), self.allowances.lease(cmd)))
          .on(ConsentCommand.class, (self, state, cmd) -> self.consent.handle(state, cmd))
          .on(WakeUpPushes.PushDue.class, (self, state, cmd) -> self.wakeUps.due(state, cmd))
          .on(Mentioned.class, (self, state, cmd) -> self.wakeUps.mentioned(state, cmd))
          .on(Passivation.Tick.class, (self, state, cmd) -> self.onTick(state))
          .on(Stop.class, (self, state, cmd) -> self.writes.stopOnceStored())
          .build();
}
