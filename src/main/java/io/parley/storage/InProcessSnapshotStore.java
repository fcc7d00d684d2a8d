package io.parley.storage;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.dynamodb.snapshot.DynamoDBSnapshotStore;

/**
 * pekko-persistence-dynamodb's snapshot store, calling the embedded store without HTTP when this
 * JVM runs it ({@link InProcessDynamoDb}): every recovery (a login of a user whose entity is not
 * running) reads its snapshot with a Query. Configured as {@code dynamodb-snapshot-store.class}.
 * Its writes go through a {@link CoalescingDynamoDbClient} of its own, as the journal's do.
 */
public final class InProcessSnapshotStore extends DynamoDBSnapshotStore {
  public InProcessSnapshotStore(Config config) {
    super(config);
    PluginClient.replaceSnapshotStoreClient(this, config.getString("endpoint"));
  }
}
