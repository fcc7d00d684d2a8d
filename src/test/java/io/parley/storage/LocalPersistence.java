package io.parley.storage;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.config.ParleyConfig;

/** The configuration of a local actor system that persists to the embedded store (or another), its tables created. */
final class LocalPersistence {
  private LocalPersistence() {}

  /** Parley's configuration with {@code settings} (HOCON) over it, persisting to {@code dynamo}. */
  static Config config(EmbeddedDynamoDb dynamo, String settings) throws Exception {
    return config(dynamo.endpoint(), settings);
  }

  /** The same against any DynamoDB at {@code endpoint} (dynoxide, for one). */
  static Config config(String endpoint, String settings) throws Exception {
    Config base = ConfigFactory.parseString("""
        pekko.actor.provider = local
        parley.s3.embedded = off
        """ + settings).withFallback(ConfigFactory.load());
    Config config = ParleyConfig.complete(base, endpoint, "http://127.0.0.1:1");
    DynamoDbTables.ensure(DynamoDbClients.fromJournalConfig(config), config.getString("parley.dynamodb.journal-table"),
        config.getString("parley.dynamodb.snapshot-table"), config.getString("parley.dynamodb.dedup-table"));
    return config;
  }
}
