package io.parley.store;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with a fresh store in a temporary directory, reached through the in-process door. */
abstract class InProcessStoreTest {
  @TempDir Path dir;
  EmbeddedStore store;
  AmazonDynamoDB dynamo;

  @BeforeEach
  void openStore() {
    store = EmbeddedStore.open(dir);
    dynamo = store.inProcessClient();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }
}
