package io.parley.storage;

import com.typesafe.config.Config;
import java.lang.reflect.Field;
import org.apache.pekko.persistence.dynamodb.journal.DynamoDBHelper;
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
    try {
      Field helperField = DynamoDBSnapshotStore.class.getDeclaredField("dynamo");
      helperField.setAccessible(true);
      PluginClient.replace((DynamoDBHelper) helperField.get(this), config.getString("endpoint"),
          client -> new CoalescingDynamoDbClient(client, RowWrites.BATCHES, 2, 2));
    } catch (ReflectiveOperationException | RuntimeException unexpected) {
      throw new IllegalStateException("the snapshot store cannot use Parley's DynamoDB client (plugin internals "
          + "changed)", unexpected);
    }
  }
}
