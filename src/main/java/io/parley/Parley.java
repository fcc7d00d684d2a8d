package io.parley;

import com.typesafe.config.Config;
import io.parley.auth.AuthSettings;
import io.parley.auth.JwtAuth;
import io.parley.config.ActorThreads;
import io.parley.config.ParleyConfig;
import io.parley.config.SettingsCheck;
import io.parley.gateway.Gateway;
import io.parley.gateway.socket.PekkoHttpInternals;
import io.parley.storage.DynamoDbClients;
import io.parley.storage.DynamoDbGroupMembers;
import io.parley.storage.DynamoDbTables;
import io.parley.storage.EmbeddedDynamoDb;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.storage.JournalLayout;
import io.parley.storage.PluginClient;
import io.parley.storage.RowWrites;
import io.parley.user.GroupConsentSettings;
import java.net.BindException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.time.Clock;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one Parley node: embedded stores when configured, then the cluster node and gateway. */
public final class Parley {
  private static final Logger log = LoggerFactory.getLogger(Parley.class);

  private Parley() {}

  public static void main(String[] args) {
    StopRequest.watch();
    try {
      start();
    } catch (Throwable failure) {
      StartupFailure.exit(failure);
    }
  }

  private static void start() throws Exception {
    keepCommonPoolOnSmallMachines();
    // pekko-persistence-dynamodb uses AWS SDK v1, which otherwise prints a deprecation banner.
    System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
    PluginClient.checkPluginShape();
    PekkoHttpInternals.check();
    Config raw = ParleyConfig.load();
    refuseWrongSettings(raw);
    Config loaded = ParleyConfig.normalise(raw);
    Path dataDir = DataDir.prepare(Path.of(loaded.getString("parley.data-dir")));
    Config config = StartupSecurity.check(loaded, dataDir);
    String storesHost = config.getString("parley.embedded-stores.host");

    String dynamoEndpoint;
    EmbeddedDynamoDb embeddedDynamo = null;
    if (ParleyConfig.dynamoEmbedded(config)) {
      int port = config.getInt("parley.dynamodb.embedded-port");
      embeddedDynamo = startEmbedded("DynamoDB", "PARLEY_DYNAMODB_EMBEDDED_PORT", port,
          () -> EmbeddedDynamoDb.start(dataDir.resolve("dynamodb"), storesHost, port));
      dynamoEndpoint = embeddedDynamo.endpoint();
      log.info("Embedded store at {} (data in {})", dynamoEndpoint, dataDir.resolve("dynamodb"));
    } else {
      dynamoEndpoint = ParleyConfig.externalDynamoEndpoint(config);
    }

    String s3Endpoint = config.getString("parley.s3.endpoint");
    Config withKeys = ParleyConfig.complete(config, dynamoEndpoint, s3Endpoint);
    if (ParleyConfig.s3Embedded(config)) {
      int port = config.getInt("parley.s3.embedded-port");
      EmbeddedObjectStore s3 = startEmbedded("S3", "PARLEY_S3_EMBEDDED_PORT", port,
          () ->
          EmbeddedObjectStore.start(
              dataDir.resolve("s3"),
              storesHost,
              port,
              config.getString("parley.s3.bucket"),
              withKeys.getString("parley.s3.access-key-id"),
              withKeys.getString("parley.s3.secret-access-key")));
      s3Endpoint = s3.endpoint();
      log.info("Embedded S3 (s3proxy) at {} (data in {})", s3Endpoint, dataDir.resolve("s3"));
    }
    Config full = ParleyConfig.complete(config, dynamoEndpoint, s3Endpoint).resolve();
    log.info("Actors run on {}", ActorThreads.describe(full));

    var dynamo = DynamoDbClients.fromJournalConfig(full);
    boolean journalCreated = false;
    if (full.getBoolean("parley.dynamodb.create-tables")) {
      journalCreated = DynamoDbTables.ensure(
          dynamo,
          full.getString("parley.dynamodb.journal-table"),
          full.getString("parley.dynamodb.snapshot-table"),
          full.getString("parley.dynamodb.dedup-table"));
      DynamoDbTables.ensureKeyed(dynamo, full.getString("parley.dynamodb.content-key-table"), "u");
      DynamoDbTables.ensureKeyed(dynamo, full.getString("parley.dynamodb.erasure-table"), "u");
      DynamoDbTables.ensureKeyed(dynamo, full.getString("parley.dynamodb.member-index-table"), "u", "c");
      DynamoDbTables.ensureKeyedBothWays(dynamo, full.getString("parley.dynamodb.group-members-table"), "c", "u",
          DynamoDbGroupMembers.BY_USER);
    }
    int shards = JournalLayout.sequenceShards(dynamo, full.getString("parley.dynamodb.journal-table"), journalCreated);
    log.info("Journal sequence-number marks in {} key(s) each", shards);
    full = JournalLayout.apply(full, shards);

    ActorSystem<Void> system = ParleyNode.start(full, dynamo, Clock.systemUTC());
    if (embeddedDynamo != null) {
      closeWhenTheNodeStops(system, embeddedDynamo);
    }
  }

  /**
   * Before anything is created or started: a wrong setting leaves no data dir, store or cluster
   * member behind. The parts named here parse settings of their own.
   */
  static void refuseWrongSettings(Config config) {
    List<String> problems = SettingsCheck.problems(config, List.of(
        RowWrites::from,
        Gateway::checkTimeouts,
        settings -> JwtAuth.checkSettings(settings.getConfig("parley.auth")),
        settings -> GroupConsentSettings.from(settings,
            AuthSettings.from(settings.getConfig("parley.auth")).devTokens().issued())));
    if (!problems.isEmpty()) {
      throw new StartupFailure.Refusal(String.join("; ", problems));
    }
  }

  /**
   * The embedded store closes after the node's entities and journal have stopped, so a stopped
   * node leaves its data in one file (the write-ahead log folded in) rather than only on disk.
   */
  private static void closeWhenTheNodeStops(ActorSystem<Void> system, EmbeddedDynamoDb store) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-embedded-store", () -> {
          store.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  /** An embedded store's start; a port in use or a store that will not open is told as such. */
  private static <T> T startEmbedded(String store, String portSetting, int port, Callable<T> start) {
    try {
      return start.call();
    } catch (Exception failure) {
      for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
        if (cause instanceof BindException) {
          throw new StartupFailure.Refusal("the embedded " + store + "'s port " + port + " is in use: stop what "
              + "uses it or set " + portSetting + " to a free port", failure);
        }
      }
      throw new StartupFailure.Refusal("the embedded " + store + " would not open: " + failure.getMessage()
          + " (its files are under PARLEY_DATA_DIR)", failure);
    }
  }

  /**
   * With fewer than 3 CPUs (a pod with a 1-CPU limit, a server pinned to one core) the JDK turns
   * the common pool off, and every async completion stage without an executor (Scala's future
   * converters make {@code thenApply} on an ask one) starts a thread of its own: about two threads
   * per message. Two common-pool threads cost nothing when idle. Must run before anything uses the
   * pool; an explicit setting wins.
   */
  private static void keepCommonPoolOnSmallMachines() {
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(parallelism) == null && Runtime.getRuntime().availableProcessors() < 3) {
      System.setProperty(parallelism, "2");
    }
  }
}
