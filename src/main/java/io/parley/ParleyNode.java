package io.parley;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.typesafe.config.Config;
import io.parley.archive.ColdTier;
import io.parley.auth.JwtAuth;
import io.parley.cluster.Asks;
import io.parley.cluster.Done;
import io.parley.cluster.Outcome;
import io.parley.conversation.ConversationJournal;
import io.parley.conversation.ConversationSettings;
import io.parley.conversation.GroupMembers;
import io.parley.conversation.MessageHistory;
import io.parley.conversation.MessageReader;
import io.parley.gateway.Gateway;
import io.parley.gateway.relay.GroupRelay;
import io.parley.media.MediaService;
import io.parley.media.MediaSettings;
import io.parley.media.VersionedBucket;
import io.parley.metrics.ParleyMetrics;
import io.parley.privacy.ContentKeys;
import io.parley.privacy.ErasedKeyNotices;
import io.parley.push.ApnsProvider;
import io.parley.push.FcmProvider;
import io.parley.push.PushDispatcher;
import io.parley.push.PushProvider;
import io.parley.push.PushSettings;
import io.parley.push.PushToken;
import io.parley.push.PushTokenOwner;
import io.parley.storage.DynamoDbDedupTable;
import io.parley.storage.DynamoDbErasureRegistry;
import io.parley.storage.DynamoDbGroupMembers;
import io.parley.storage.DynamoDbKeyTable;
import io.parley.storage.DynamoDbMemberIndex;
import io.parley.storage.HttpClientPools;
import io.parley.storage.PluginClient;
import io.parley.storage.RowWrites;
import io.parley.storage.StoreClient;
import io.parley.user.ErasureRegistry;
import io.parley.user.KeptElsewhere;
import io.parley.user.PresenceNotices;
import io.parley.user.UserActor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
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

  /** {@code dynamo}: the one client of Parley's own tables, the one the start-up created them with. */
  public static ActorSystem<Void> start(Config config, AmazonDynamoDB dynamo, Clock clock) {
    ParleyMetrics.installPrometheus();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "parley", config);
    if (CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
      // Stopped while the system started: the cluster node is leaving or gone, and what starts
      // now on it (the receptionist of the first topic) would only log errors on the way out.
      return system;
    }
    system.receptionist(); // now, while the cluster node is up, not on a stop's way out
    StoreClient.get(system.classicSystem()).use(dynamo);
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
    HttpClientPools.closeWhenTheNodeStops(system);
    ShardedEntities entities = new ShardedEntities(system);
    PushDispatcher pushes = startPush(system, config, entities, clock);
    java.time.Duration askTimeout = config.getDuration("parley.gateway.ask-timeout");
    MediaService media = new MediaService(entities::media, entities, MediaSettings.from(config), askTimeout, system);
    refuseAVersionedBucket(system, config);
    // Parley's own small tables share one client (one connection pool) and the blocking pool.
    var blocking = system.classicSystem().dispatchers().lookup(Dispatchers.DefaultBlockingDispatcherId());
    RowWrites rowWrites = RowWrites.from(config);
    ContentKeys keys = new ContentKeys(
        new DynamoDbKeyTable(dynamo, config.getString("parley.dynamodb.content-key-table"), blocking),
        config.getLong("parley.privacy.keys-cached"), config.getDuration("parley.privacy.key-cache-ttl"),
        com.github.benmanes.caffeine.cache.Ticker.systemTicker(), clock);
    ErasedKeyNotices.start(system, keys);
    PresenceNotices.get(system); // subscribed from the start, so that no node misses a user coming online
    ErasureRegistry erasures = new DynamoDbErasureRegistry(
        dynamo, config.getString("parley.dynamodb.erasure-table"), blocking, clock);
    DynamoDbMemberIndex memberIndex =
        new DynamoDbMemberIndex(dynamo, config.getString("parley.dynamodb.member-index-table"), rowWrites, blocking);
    GroupRelay.Started largeGroups = GroupRelay.start(system, entities, new DynamoDbGroupMembers(dynamo,
        config.getString("parley.dynamodb.group-members-table"),
        config.getString("parley.dynamodb.member-index-table"), rowWrites, blocking));
    KeptElsewhere elsewhere = keptElsewhere(keys, media, memberIndex, largeGroups.rows(),
        tokenOwnerForgetting(entities, askTimeout, system));
    DynamoDbDedupTable dedupSpill = new DynamoDbDedupTable(dynamo, config.getString("parley.dynamodb.dedup-table"),
        blocking, clock);
    entities.start(journal, cold, pushes, erasures, memberIndex, largeGroups.rows(), largeGroups.liveGroups(),
        dedupSpill, elsewhere, clock);
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
                          if (config.getBoolean("parley.exit-when-ready")) {
                            exitNow(system);
                          }
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

  /** PARLEY_EXIT_WHEN_READY: the node stops as a SIGTERM would stop it, and the JVM exits with 0. */
  private static void exitNow(ActorSystem<Void> system) {
    System.out.println("Parley stops: PARLEY_EXIT_WHEN_READY is on");
    CoordinatedShutdown.get(system).runAll(ExitWhenReady.INSTANCE).whenComplete((done, failure) -> {
      if (failure != null) {
        log.error("The node did not stop cleanly", failure);
      }
      System.exit(failure == null ? 0 : 1);
    });
  }

  /** The reason coordinated shutdown is given when PARLEY_EXIT_WHEN_READY stops the node. */
  private enum ExitWhenReady implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /**
   * What an erasure finds and deletes outside the entities: the conversations the member index
   * lists; then the content key (every copy of the user's messages becomes unreadable), the
   * media, and last the index rows.
   */
  private static KeptElsewhere keptElsewhere(ContentKeys keys, MediaService media, DynamoDbMemberIndex index,
      GroupMembers groups, BiFunction<String, PushToken, CompletionStage<?>> forgetTokenOwner) {
    return new KeptElsewhere() {
      @Override
      public CompletionStage<?> forgetPushTokens(String userId, Collection<PushToken> tokens) {
        return CompletableFuture.allOf(tokens.stream()
            .map(token -> forgetTokenOwner.apply(userId, token).toCompletableFuture())
            .toArray(CompletableFuture[]::new));
      }

      @Override
      public CompletionStage<?> erase(String userId) {
        return keys.erase(userId)
            .thenCompose(erased -> media.eraseUploads(userId))
            .thenCompose(deleted -> index.forget(userId));
      }

      @Override
      public CompletionStage<?> markErasing(String userId, long requestedTs) {
        return keys.markErasing(userId, requestedTs);
      }

      @Override
      public CompletionStage<List<String>> conversations(String userId) {
        return index.conversationsOf(userId).thenCombine(groups.largeGroupsOf(userId), (ever, large) ->
            java.util.stream.Stream.concat(ever.stream(), large.stream()).distinct().toList());
      }

      /** The index read a page at a time; the large groups the user is in now are fewer, read whole. */
      @Override
      public CompletionStage<KeptElsewhere.Page> conversations(String userId, String after, int limit) {
        return index.conversationsOf(userId, after, limit).thenCombine(groups.largeGroupsOf(userId), (indexed, large) -> {
          String last = indexed.more() ? indexed.conversations().get(indexed.conversations().size() - 1) : null;
          List<String> both = new ArrayList<>(indexed.conversations());
          // Beyond the index's page, a large group waits for the page of the index it falls in.
          large.stream().filter(id -> last == null || id.compareTo(last) <= 0).forEach(both::add);
          KeptElsewhere.Page page = KeptElsewhere.Page.of(both, after, limit);
          return new KeptElsewhere.Page(page.conversations(), page.more() || indexed.more());
        });
      }
    };
  }

  /** Each push token's owner record forgets an erased user; fails unless it answers that it did. */
  private static BiFunction<String, PushToken, CompletionStage<?>> tokenOwnerForgetting(
      ShardedEntities entities, java.time.Duration askTimeout, ActorSystem<Void> system) {
    return (userId, token) -> Asks.<PushTokenOwner.Command, Outcome<Done>>ask(entities.pushTokenOwner(token),
            replyTo -> new PushTokenOwner.Forget(userId, replyTo), askTimeout, system.scheduler())
        .thenApply(outcome -> {
          if (!outcome.isOk()) {
            throw new IllegalStateException(outcome.message());
          }
          return outcome.value();
        });
  }

  /** Erased media must not stay behind as old versions (see {@link VersionedBucket}). */
  private static void refuseAVersionedBucket(ActorSystem<Void> system, Config config) {
    String bucket = MediaSettings.from(config).bucket();
    VersionedBucket.refusal(system, bucket, "allow".equals(config.getString("parley.media.versioned-bucket")))
        .whenComplete((refusal, failure) -> {
          if (failure != null && StopRequest.requested()) {
            log.debug("The check of the bucket {} was cut short by a stop", bucket, failure);
          } else if (failure != null) {
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
