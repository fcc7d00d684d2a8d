package io.parley;

import io.parley.archive.ArchiveCalendar;
import io.parley.archive.ArchiveCalendars;
import io.parley.archive.ArchiveClock;
import io.parley.archive.ArchiveIo;
import io.parley.archive.ArchiveSettings;
import io.parley.archive.ColdTier;
import io.parley.cluster.StoppableSingleton;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationWiring;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.DedupSpill;
import io.parley.conversation.GroupMembers;
import io.parley.conversation.LiveGroups;
import io.parley.conversation.MemberIndex;
import io.parley.conversation.MessageReader;
import io.parley.gateway.Entities;
import io.parley.media.MediaActor;
import io.parley.media.MediaSettings;
import io.parley.media.UnsentMediaSettings;
import io.parley.media.UnsentMediaSweep;
import io.parley.push.PushNotifier;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.user.ErasureRegistry;
import io.parley.user.ErasureResumer;
import io.parley.user.KeptElsewhere;
import io.parley.user.UserActor;
import io.parley.user.UserRecipients;
import io.parley.user.UserSettings;
import io.parley.user.UserTokenHolders;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Reaches entities through cluster sharding, and wires each entity type to the others through
 * the small interfaces it declares ({@code Recipients}, {@code TokenHolders}, ...), so that no
 * capability package depends on another in a circle. {@link #start} runs every entity type on
 * this node.
 */
public final class ShardedEntities implements Entities, ArchiveCalendars {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final EntityRefTable<UserActor.Command> users;
  private final EntityRefTable<ConversationActor.Command> conversations;

  /** Refs work at once; messages wait until {@link #start} has run on some node. */
  public ShardedEntities(ActorSystem<?> system) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.users = new EntityRefTable<>(userId -> sharding.entityRefFor(UserActor.TYPE_KEY, userId));
    this.conversations = new EntityRefTable<>(
        conversationId -> sharding.entityRefFor(ConversationActor.TYPE_KEY, conversationId));
  }

  public void start(ConversationJournal journal, ColdTier cold, PushNotifier pushes, ErasureRegistry erasures,
      MemberIndex memberIndex, GroupMembers groupMembers, LiveGroups liveGroups, DedupSpill dedupSpill,
      KeptElsewhere elsewhere, Clock clock) {
    ConversationSettings conversationSettings = ConversationSettings.from(system.settings().config());
    ArchiveSettings archiveSettings = ArchiveSettings.from(system.settings().config());
    UserSettings userSettings = UserSettings.from(system.settings().config());
    UserRecipients recipients = new UserRecipients(this);
    MessageReader reader = new MessageReader(journal, cold);
    UserTokenHolders tokenHolders = new UserTokenHolders(this, system);
    ArchiveIo archive = new ArchiveIo(cold, this, archiveSettings, clock);
    ConversationWiring wiring = new ConversationWiring(recipients, reader, archive, dedupSpill, memberIndex,
        groupMembers, liveGroups, conversationSettings, clock);
    sharding.init(
        Entity.of(
                ConversationActor.TYPE_KEY,
                ctx ->
                    ConversationActor.create(ctx.getEntityId(), ctx.getShard(), wiring))
            .withStopMessage(ConversationActor.stopMessage()));
    sharding.init(
        Entity.of(
                UserActor.TYPE_KEY,
                ctx -> UserActor.create(ctx.getEntityId(), ctx.getShard(), this, userSettings, pushes, elsewhere, clock))
            .withStopMessage(UserActor.stopMessage())
            // A user owes no work after a crash (conversations re-send hand-offs, connections
            // register again), so remembering users would only cost a write at every login.
            .withSettings(ClusterShardingSettings.create(system).withRememberEntities(false)));
    sharding.init(
        Entity.of(PushTokenOwner.TYPE_KEY,
                ctx -> PushTokenOwner.create(ctx.getEntityId(), ctx.getShard(), tokenHolders))
            .withStopMessage(PushTokenOwner.stopMessage()));
    sharding.init(
        Entity.of(ArchiveCalendar.TYPE_KEY, ctx -> ArchiveCalendar.create(ctx.getEntityId(), ctx.getShard(), this))
            .withStopMessage(ArchiveCalendar.stopMessage()));
    // User entities are not remembered: this wakes those whose erasure a crash cut short.
    singleton("erasure-resumer", ErasureResumer.create(this, erasures,
        system.settings().config().getDuration("parley.user.erasure-resume-interval")));
    if (archiveSettings.enabled()) {
      singleton("archive-clock", ArchiveClock.create(this, archiveSettings, clock));
    }
    MediaSettings mediaSettings = MediaSettings.from(system.settings().config());
    // Media entities owe no work after a crash, so they are not remembered (there may be many),
    // and sharding passivates them once idle.
    sharding.init(
        Entity.of(MediaActor.TYPE_KEY, ctx -> MediaActor.create(ctx.getEntityId(), mediaSettings, clock))
            .withStopMessage(MediaActor.stopMessage())
            .withSettings(
                ClusterShardingSettings.create(system)
                    .withRememberEntities(false)
                    .withPassivationStrategy(
                        ClusterShardingSettings.create(system).passivationStrategySettings()
                            .withIdleEntityPassivation(mediaSettings.passivateAfterIdle()))));
    singleton("unsent-media-sweep", UnsentMediaSweep.create(this::media, mediaSettings,
        UnsentMediaSettings.from(system.settings().config()),
        system.settings().config().getDuration("parley.gateway.ask-timeout"), clock));
  }

  /**
   * A cluster singleton restarted with back-off when it fails, and stopped at once when its node
   * leaves or hands it over, even while it backs off or recovers (see {@link StoppableSingleton}).
   */
  private <T> void singleton(String name, Behavior<T> work) {
    ClusterSingleton.get(system).init(SingletonActor.of(StoppableSingleton.of(
        Behaviors.supervise(work)
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
        name), name));
  }

  @Override
  public RecipientRef<UserActor.Command> user(String userId) {
    return users.ref(userId);
  }

  @Override
  public RecipientRef<ConversationActor.Command> conversation(String conversationId) {
    return conversations.ref(conversationId);
  }

  @Override
  public RecipientRef<ArchiveCalendar.Command> archiveCalendar(String pageId) {
    return sharding.entityRefFor(ArchiveCalendar.TYPE_KEY, pageId);
  }

  @Override
  public RecipientRef<PushTokenOwner.Command> pushTokenOwner(PushToken token) {
    return sharding.entityRefFor(PushTokenOwner.TYPE_KEY, PushTokenOwner.entityId(token));
  }

  /** Media entities are reached from the media service only, so they are not part of {@link Entities}. */
  public RecipientRef<MediaActor.Command> media(String mediaId) {
    return sharding.entityRefFor(MediaActor.TYPE_KEY, mediaId);
  }
}
