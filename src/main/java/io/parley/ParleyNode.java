package io.parley;

import com.typesafe.config.Config;
import io.parley.archive.ColdTier;
import io.parley.auth.JwtAuth;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.GroupMembers;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.MessageReader;
import io.parley.gateway.Gateway;
import io.parley.gateway.GroupRelay;
import io.parley.media.MediaService;
import io.parley.media.MediaSettings;
import io.parley.media.VersionedBucket;
import io.parley.metrics.ParleyMetrics;
import io.parley.privacy.ContentKeys;
import io.parley.privacy.ErasedKeyNotices;
import io.parley.storage.DynamoDbClients;
import io.parley.storage.PluginClient;
import io.parley.storage.DynamoDbKeyTable;
import io.parley.storage.DynamoDbGroupMembers;
import io.parley.storage.DynamoDbMemberIndex;
import io.parley.storage.RowWrites;
import io.parley.user.KeptElsewhere;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.dispatch.Dispatchers;
import io.parley.push.ApnsProvider;
import io.parley.push.FcmProvider;
import io.parley.push.PushDispatcher;
import io.parley.push.PushProvider;
import io.parley.push.PushSettings;
import io.parley.storage.DynamoDbErasureRegistry;
import io.parley.user.ErasureRegistry;
import io.parley.user.UserActor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.dispatch.Dispatchers;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.persistence.dynamodb.query.javadsl.DynamoDBReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One cluster node: sharded entities, the gateway and the management endpoints. */
public final class ParleyNode {
  private static final Logger log = LoggerFactory.getLogger(ParleyNode.class);

  private ParleyNode() {}

  public static ActorSystem<Void> start(Config config, Clock clock) {
    ParleyMetrics.installPrometheus();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "parley", config);
    Cluster cluster = Cluster.get(system);
    PekkoManagement.get(system).start().exceptionally(failure -> {
      StartupFailure.exit(new StartupFailure.Refusal("the management port "
          + config.getInt("pekko.management.http.port") + " could not be bound (" + StartupFailure.rootMessage(failure)
          + "): stop what uses it or set PARLEY_MANAGEMENT_PORT", failure));
      return null;
    });
    if ("kubernetes".equals(config.getString("parley.cluster.bootstrap"))) {
      ClusterBootstrap.get(system).start();
    } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      // A single node: it forms the cluster on its own.
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    DynamoDBReadJournal readJournal =
        PersistenceQuery.get(system)
            .getReadJournalFor(DynamoDBReadJournal.class, "dynamodb-read-journal");
    PluginClient.replaceReadJournalClient(readJournal, config.getString("dynamodb-read-journal.endpoint"));
    ConversationJournal journal = new ConversationJournal(readJournal, system);
    ColdTier cold = ColdTier.from(config, system);
    ShardedEntities entities = new ShardedEntities(system);
    PushDispatcher pushes = startPush(system, config, entities, clock);
    java.time.Duration askTimeout = config.getDuration("parley.gateway.ask-timeout");
    MediaService media = new MediaService(entities::media, entities, MediaSettings.from(config), askTimeout, system);
    refuseAVersionedBucket(system, config);
    // Parley's own small tables share one client (one connection pool) and the blocking pool.
    var dynamo = DynamoDbClients.fromJournalConfig(config);
    var blocking = system.classicSystem().dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
    RowWrites rowWrites = RowWrites.from(config);
    ContentKeys keys = new ContentKeys(
        new DynamoDbKeyTable(dynamo, config.getString("parley.dynamodb.content-key-table"), blocking),
        config.getLong("parley.privacy.keys-cached"), config.getDuration("parley.privacy.key-cache-ttl"),
        com.github.benmanes.caffeine.cache.Ticker.systemTicker(), clock);
    ErasedKeyNotices.start(system, keys);
    ErasureRegistry erasures = new DynamoDbErasureRegistry(
        dynamo, config.getString("parley.dynamodb.erasure-table"), blocking, clock);
    DynamoDbMemberIndex memberIndex =
        new DynamoDbMemberIndex(dynamo, config.getString("parley.dynamodb.member-index-table"), rowWrites, blocking);
    GroupRelay.Started largeGroups = GroupRelay.start(system, entities, new DynamoDbGroupMembers(dynamo,
        config.getString("parley.dynamodb.group-members-table"),
        config.getString("parley.dynamodb.member-index-table"), rowWrites, blocking));
    KeptElsewhere elsewhere = keptElsewhere(keys, media, memberIndex, largeGroups.rows());
    entities.start(journal, cold, pushes, erasures, memberIndex, largeGroups.rows(), largeGroups.liveGroups(),
        elsewhere, clock);
    MessageHistory history = new MessageHistory(entities, new MessageReader(journal, cold), askTimeout, system);
    JwtAuth auth = JwtAuth.from(config.getConfig("parley.auth"), clock);

    Gateway.start(system, config, auth, entities, history, media, keys, ConversationSettings.from(config), erasures,
        elsewhere, largeGroups, clock)
        .thenAccept(
            address ->
                org.apache.pekko.cluster.Cluster.get(system.classicSystem())
                    .registerOnMemberUp(
                        () -> {
                          String line = "Parley is ready: clients connect to ws://" + address + "/v1/ws"
                              + " (HTTP API http://" + address + "/v1, management port "
                              + config.getInt("pekko.management.http.port") + ")";
                          log.info(line);
                          System.out.println(line);
                        }))
        .exceptionally(
            failure -> {
              StartupFailure.exit(new StartupFailure.Refusal("the API could not listen on "
                  + config.getString("parley.http.host") + ":" + config.getInt("parley.http.port") + " ("
                  + StartupFailure.rootMessage(failure) + "): stop what uses the port or set PARLEY_HTTP_PORT "
                  + "(and PARLEY_HTTP_HOST)", failure));
              return null;
            });
    return system;
  }

  /**
   * What an erasure finds and deletes outside the entities: the conversations the member index
   * lists; then the content key (every copy of the user's messages becomes unreadable), the
   * media, and last the index rows.
   */
  private static KeptElsewhere keptElsewhere(ContentKeys keys, MediaService media, DynamoDbMemberIndex index,
      GroupMembers groups) {
    return new KeptElsewhere() {
      @Override
      public CompletionStage<?> erase(String userId) {
        return keys.erase(userId)
            .thenCompose(erased -> media.eraseUploads(userId))
            .thenCompose(deleted -> index.forget(userId));
      }

      @Override
      public CompletionStage<?> markErasing(String userId) {
        return keys.markErasing(userId);
      }

      @Override
      public CompletionStage<List<String>> conversations(String userId) {
        return index.conversationsOf(userId).thenCombine(groups.largeGroupsOf(userId), (ever, large) ->
            java.util.stream.Stream.concat(ever.stream(), large.stream()).distinct().toList());
      }
    };
  }

  /** Erased media must not stay behind as old versions (see {@link VersionedBucket}). */
  private static void refuseAVersionedBucket(ActorSystem<Void> system, Config config) {
    String bucket = MediaSettings.from(config).bucket();
    VersionedBucket.refusal(system, bucket, "allow".equals(config.getString("parley.media.versioned-bucket")))
        .whenComplete((refusal, failure) -> {
          if (failure != null) {
            log.warn("Could not learn whether the bucket {} keeps old versions of objects: {}", bucket,
                StartupFailure.rootMessage(failure));
          } else {
            refusal.ifPresent(why -> StartupFailure.exit(new StartupFailure.Refusal(why)));
          }
        });
  }

  /** Push through whichever providers have credentials; their connections close on shutdown. */
  private static PushDispatcher startPush(
      ActorSystem<Void> system, Config config, ShardedEntities entities, Clock clock) {
    List<PushProvider> providers = new ArrayList<>();
    ApnsProvider.fromConfig(config, clock).ifPresent(providers::add);
    FcmProvider.fromConfig(config).ifPresent(providers::add);
    PushDispatcher pushes = new PushDispatcher(
        providers,
        (userId, token) -> entities.user(userId).tell(new UserActor.UnregisterPushToken(token, system.ignoreRef())),
        PushSettings.from(config),
        system);
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-push-providers",
        () -> pushes.close().thenApply(closed -> org.apache.pekko.Done.getInstance()));
    return pushes;
  }
}
