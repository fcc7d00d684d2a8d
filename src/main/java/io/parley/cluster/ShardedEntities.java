package io.parley.cluster;

import io.parley.archive.ColdTier;
import io.parley.conversation.ConversationActor;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.user.UserActor;
import io.parley.user.UserSettings;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** Starts sharding for both entity types on this node and reaches entities through it. */
public final class ShardedEntities implements Entities {
  private final ClusterSharding sharding;

  private ShardedEntities(ClusterSharding sharding) {
    this.sharding = sharding;
  }

  public static ShardedEntities start(
      ActorSystem<?> system, ConversationJournal journal, ColdTier cold, Clock clock) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ShardedEntities entities = new ShardedEntities(sharding);
    ConversationSettings conversationSettings = ConversationSettings.from(system.settings().config());
    UserSettings userSettings = UserSettings.from(system.settings().config());
    sharding.init(
        Entity.of(
                ConversationActor.TYPE_KEY,
                ctx ->
                    ConversationActor.create(
                        ctx.getEntityId(), ctx.getShard(), entities, journal, cold, conversationSettings, clock))
            .withStopMessage(ConversationActor.stopMessage()));
    sharding.init(
        Entity.of(
                UserActor.TYPE_KEY,
                ctx -> UserActor.create(ctx.getEntityId(), ctx.getShard(), entities, userSettings, clock))
            .withStopMessage(UserActor.stopMessage()));
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

  /** Typed access for asks. */
  public ClusterSharding sharding() {
    return sharding;
  }
}
