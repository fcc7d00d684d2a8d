package io.parley.cluster;

import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.media.MediaActor;
import io.parley.media.MediaSettings;
import io.parley.user.UserActor;
import io.parley.user.UserSettings;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** Starts sharding for every entity type on this node and reaches entities through it. */
public final class ShardedEntities implements Entities {
  private final ClusterSharding sharding;

  private ShardedEntities(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  public static ShardedEntities start(
      ActorSystem<?> system, ConversationJournal journal, Clock clock) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ShardedEntities entities = new ShardedEntities(sharding);
    ConversationSettings conversationSettings = ConversationSettings.from(system.settings().config());
    UserSettings userSettings = UserSettings.from(system.settings().config());
    sharding.init(
        Entity.of(
                ConversationActor.TYPE_KEY,
                ctx ->
                    ConversationActor.create(
                        ctx.getEntityId(), ctx.getShard(), entities, journal, conversationSettings, clock))
            .withStopMessage(ConversationActor.stopMessage()));
    sharding.init(
        Entity.of(
                UserActor.TYPE_KEY,
                ctx -> UserActor.create(ctx.getEntityId(), ctx.getShard(), entities, userSettings, clock))
            .withStopMessage(UserActor.stopMessage()));
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
    return entities;
  }

  @Override
  public RecipientRef<UserActor.Command> user(String userId) {
    return sharding.entityRefFor(UserActor.TYPE_KEY, userId);
  }

  @Override
  public RecipientRef<ConversationActor.Command> conversation(String conversationId) {
    return sharding.entityRefFor(ConversationActor.TYPE_KEY, conversationId);
  }

  /** Media entities are reached from the gateway only, so they are not part of {@link Entities}. */
  public RecipientRef<MediaActor.Command> media(String mediaId) {
    return sharding.entityRefFor(MediaActor.TYPE_KEY, mediaId);
  }

  /** Typed access for asks. */
  public ClusterSharding sharding() {
    return sharding;
  }
}
