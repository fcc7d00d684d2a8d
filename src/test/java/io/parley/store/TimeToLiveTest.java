package io.parley.store;

import static io.parley.store.StoreFixture.item;
import static io.parley.store.StoreFixture.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.DescribeTimeToLiveRequest;
import com.amazonaws.services.dynamodbv2.model.TimeToLiveSpecification;
import com.amazonaws.services.dynamodbv2.model.UpdateTimeToLiveRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Items whose TTL attribute lies in the past are deleted by the sweeper. */
class TimeToLiveTest {
  @TempDir Path dir;

  @Test
  void expiredItemsAreSweptAndOthersKept() throws InterruptedException {
    try (EmbeddedStore store = EmbeddedStore.open(dir, Duration.ofMillis(200))) {
      AmazonDynamoDB dynamo = store.inProcessClient();
      dynamo.createTable(table("dedup", "k", null));
      long now = System.currentTimeMillis() / 1000;
      dynamo.putItem("dedup", item("k", "before-ttl-was-enabled", "exp", now - 10));
      dynamo.updateTimeToLive(new UpdateTimeToLiveRequest().withTableName("dedup")
          .withTimeToLiveSpecification(new TimeToLiveSpecification().withAttributeName("exp").withEnabled(true)));
      assertEquals("ENABLED", dynamo.describeTimeToLive(new DescribeTimeToLiveRequest().withTableName("dedup"))
          .getTimeToLiveDescription().getTimeToLiveStatus());
      dynamo.putItem("dedup", item("k", "expired", "exp", now - 1));
      dynamo.putItem("dedup", item("k", "future", "exp", now + 3600));
      dynamo.putItem("dedup", item("k", "no-ttl"));
      dynamo.putItem("dedup", item("k", "ttl-not-a-number", "exp", "soon"));
      dynamo.putItem("dedup", item("k", "ancient", "exp", now - 6L * 365 * 24 * 3600));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((dynamo.getItem("dedup", item("k", "expired")).getItem() != null
          || dynamo.getItem("dedup", item("k", "before-ttl-was-enabled")).getItem() != null)
          && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling for the sweeper, bounded by the deadline
      }
      assertEquals(null, dynamo.getItem("dedup", item("k", "expired")).getItem());
      assertEquals(null, dynamo.getItem("dedup", item("k", "before-ttl-was-enabled")).getItem());
      for (String kept : new String[] {"future", "no-ttl", "ttl-not-a-number", "ancient"}) {
        assertNotNull(dynamo.getItem("dedup", item("k", kept)).getItem(), kept);
      }
      assertTrue(store.engine().commits() > 0);
    }
  }
}
