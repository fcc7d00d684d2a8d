package io.parley.conversation;

import io.parley.cluster.EntityLifecycle;
import io.parley.conversation.ConversationActor.Command;
import io.parley.conversation.ConversationActor.Event;
import io.parley.conversation.ConversationActor.Location;
import io.parley.conversation.ConversationState.Active;
import io.parley.conversation.ConversationState.State;
import io.parley.conversation.Upkeep.Tick;
import java.time.Clock;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;

/**
 * One conversation entity's jobs, wired together; {@link ConversationCommands} hands each command
 * to one of them. Not state: they hold what waits for the next write and fan-out bookkeeping that
 * is rebuilt (or safely repeated) after a restart.
 *
 * <ul>
 *   <li>{@link ConversationWrites}: the send path. Sends, receipts and confirmations wait while a write
 *       is in flight; the next {@link ConversationWrites.Flush} stores them in one write, acked once
 *       it is stored.
 *   <li>{@link SendBatch}: the sends waiting, and their numbering; {@link ReceiptsWaiting}: receipts.
 *   <li>{@link MemberHandoffs}: at-least-once fan-out to members' UserActors, re-sent until they
 *       confirm storing it.
 *   <li>{@link Membership}: groups, members, and who may see what.
 *   <li>{@link Upkeep}: the periodic {@link Upkeep.Tick}'s work, and sleeping once idle.
 *   <li>{@link TypingRelay}: typing, told to the other members and never stored.
 *   <li>{@link ArchiveRuns}: runs that move old messages to the cold tier (S3) through the {@link ColdArchive}.
 *   <li>{@link DedupOverflow}: idempotency keys beyond what the state holds, in the dedup table.
 *   <li>{@link MessageDeletion}: messages deleted for everyone by their sender ({@link DeletedMessages}).
 *   <li>{@link MemberErasure}: an erased account's messages read as tombstones.
 *   <li>Large groups (from {@code large-group-from} members, after
 *       {@link ConversationActor.BecameLarge}: a state of their own, with its own command table):
 *       {@link LargeMembers} keeps their members as rows, {@link ReadMarks} their read marks,
 *       {@link GroupRelays} tells the nodes where members are connected, {@link ReceiptTally}
 *       counts receipts, {@link MentionPushes} pushes those mentioned.
 * </ul>
 *
 * <p>Results of their work in the background (reads, lookups, writes to other tables) come back
 * to the entity as commands, declared beside the job that sends them: they are never stored.
 */
final class ConversationJobs {
  final String conversationId;
  private final EffectFactories<Event, State> effects;
  private final LongSupplier lastSequenceNr;
  private final TimerScheduler<Command> timers;
  private final ConversationSettings settings;

  final MemberHandoffs handoffs;
  final MembershipNotices memberships;
  final ArchiveRuns archiving;
  final MessageDeletion deletion;
  final DeletionNotices deletionNotices;
  final MemberErasure erasure;
  private final DedupOverflow dedupOverflow;
  final Membership membership;
  final GroupAdmin admin;
  final ConversationWrites writes;
  final TypingRelay typing;
  final Upkeep upkeep;
  final LargeMembers large;
  final GroupRelays relays;
  final ReceiptTally tally;
  private final MentionPushes mentions;
  final EntityLifecycle<State> lifecycle;
  /** A large group's members as far as looked up in its rows: not state, so not rebuilt by replay. */
  private final KnownMembers known = new KnownMembers();

  ConversationJobs(
      String conversationId,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      EffectFactories<Event, State> effects,
      LongSupplier lastSequenceNr,
      ConversationWiring wiring) {
    Recipients recipients = wiring.recipients();
    MessageReader reader = wiring.reader();
    GroupMembers groupMembers = wiring.groupMembers();
    ConversationSettings settings = wiring.settings();
    Clock clock = wiring.clock();
    this.conversationId = conversationId;
    this.effects = effects;
    this.lastSequenceNr = lastSequenceNr;
    this.timers = timers;
    this.lifecycle = new EntityLifecycle<>(ConversationActor.TYPE_KEY.name(), ctx, shard);
    this.settings = settings;
    this.memberships = new MembershipNotices(conversationId, recipients, wiring.memberIndex(), ctx,
        settings.handoffRetryInterval(), clock, known);
    this.handoffs = new MemberHandoffs(conversationId, ctx, recipients, memberships, reader, this::locate,
        settings.handoffRetryInterval(), clock);
    this.archiving = new ArchiveRuns(conversationId, ctx, effects, lastSequenceNr, reader.journal(), wiring.archive(), clock);
    this.dedupOverflow = new DedupOverflow(
        conversationId, ctx, wiring.dedupSpill(), settings.dedupWindow().toMillis(), settings.dedupMaxEntries(), known);
    this.relays = new GroupRelays(conversationId, clock, known);
    this.tally = new ReceiptTally(conversationId, effects, recipients);
    this.deletionNotices = new DeletionNotices(conversationId, recipients, settings.handoffRetryInterval(), clock,
        ctx.getLog());
    this.deletion = new MessageDeletion(conversationId, ctx, effects, reader, this::locate, deletionNotices, relays,
        clock, known);
    this.large = new LargeMembers(conversationId, ctx, effects, groupMembers, wiring.liveGroups(), memberships, tally, settings,
        known);
    this.erasure = new MemberErasure(conversationId, effects, recipients, memberships, large, known);
    this.mentions = new MentionPushes(conversationId, groupMembers, recipients, known);
    this.membership = new Membership(conversationId, effects, memberships, this::locate, large, groupMembers,
        settings, clock, known);
    this.admin = new GroupAdmin(conversationId, effects, memberships, large, known);
    this.writes = new ConversationWrites(conversationId, ctx, effects, lastSequenceNr, recipients,
        handoffs, this::fanOut, dedupOverflow, membership, settings, clock, known);
    lifecycle.onRestart(writes::writeFailed);
    this.typing = new TypingRelay(conversationId, effects, recipients, relays, known);
    this.upkeep = new Upkeep(
        effects, writes, handoffs, deletionNotices, memberships, archiving, dedupOverflow, large, relays, tally,
        lifecycle, settings, clock);
  }

  /** The effects, named as in the entity, so that a handler reads the same in either place. */
  EffectFactories<Event, State> Effect() {
    return effects;
  }

  /** A handler that answers later, or only tells others: it stores nothing now. */
  Effect<Event, State> none(Runnable handle) {
    handle.run();
    return Effect().none();
  }

  /** Once recovered: the tick starts, and what a crash cut short goes on. */
  void recovered(State state) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.handoffRetryInterval());
    if (state instanceof Active active && active.membershipUnsettled && active.title != null) {
      memberships.announce(active, List.copyOf(active.formerMembersOwed)); // a crash cut the telling short
    } // a direct conversation tells no one: the tick writes the member index (Upkeep)
    if (state instanceof Active active) {
      large.writeNext(active); // member rows a crash left owed
    }
    archiving.recovered();
    dedupOverflow.recovered();
  }

  /**
   * A command counts as activity, keeping the conversation awake, unless a user who is not a
   * member sent it: a refusal must not let a stranger hold the conversation in memory.
   */
  void touch(State state, Command command) {
    String user = command instanceof ConversationActor.Send send ? send.senderId()
        : command instanceof ConversationActor.Create create ? create.creatorId()
        : command instanceof ConversationActor.ByRequester by ? by.requesterId()
        : command instanceof ConversationActor.ForUser forUser ? forUser.userId()
        : null; // internal: a relay, or a caller that checks no membership (userId null)
    if (user == null || !(state instanceof Active active) || active.isMember(user, known)) {
      upkeep.touch();
    }
  }

  /** Freshly stored messages go to every member, or in a large group to the relays of those connected. */
  private void fanOut(Active state, List<StoredMessage> stored, List<SendBatch.Mentions> mentioned) {
    if (!state.large) {
      handoffs.fanOut(state, stored); // every member is pushed when offline: mentions add nothing
      return;
    }
    relays.messages(stored.stream().map(m -> m.toChatMessage(conversationId)).toList());
    stored.forEach(m -> large.read(state, m.senderId(), m.seq(), null)); // one's own message is read
    mentioned.forEach(m -> mentions.mentioned(state, m)); // no one else is pushed
  }

  /** Where messages {@code from..to} are: cold segments, then a range of this journal. */
  private Location locate(Active state, long from, long to) {
    return state.locate(from, to, lastSequenceNr.getAsLong());
  }
}
