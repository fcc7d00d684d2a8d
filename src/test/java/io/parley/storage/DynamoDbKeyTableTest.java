package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.GetItemRequest;
import io.parley.privacy.ContentKey;
import io.parley.privacy.ContentKeys;
import io.parley.privacy.KeyTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Content keys in a real DynamoDB table (the embedded store): two {@link ContentKeys}, as on two
 * nodes, share one key per user, and erasing it leaves what it sealed unreadable.
 */
class DynamoDbKeyTableTest {
  static final String TABLE = "keys-test";
  static final String PLACE = ContentKey.messagePlace("d:bob:dave", "c-1");
  @TempDir static Path dir;
  static LocalDynamoDb local;
  static ExecutorService blocking;

  @BeforeAll
  static void start() throws Exception {
    local = LocalDynamoDb.start(dir, "journal-keys-test");
    DynamoDbTables.ensureKeyed(local.sync, TABLE, "u");
    blocking = Executors.newFixedThreadPool(8);
  }

  @AfterAll
  static void stop() throws Exception {
    blocking.shutdownNow();
    local.close();
  }

  private ContentKeys node() {
    return new ContentKeys(new DynamoDbKeyTable(local.sync, TABLE, blocking), 100);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  private Map<String, AttributeValue> item(String userId) {
    return local.sync.getItem(new GetItemRequest().withTableName(TABLE)
        .withKey(Map.of("u", new AttributeValue(userId))).withConsistentRead(true)).getItem();
  }

  @Test
  void nodesCreatingAUsersKeyAtOnceAgreeOnOne() {
    List<ContentKeys> nodes = IntStream.range(0, 6).mapToObj(i -> node()).toList();
    List<CompletableFuture<ContentKey>> created = nodes.stream()
        .map(keys -> keys.forSending("alice").toCompletableFuture()).toList();
    List<String> ids = created.stream().map(CompletableFuture::join).map(ContentKey::keyId).distinct().toList();
    assertEquals(1, ids.size(), "one key, whichever node stored it first");
    assertEquals(ids.get(0), item("alice").get("kid").getS());
  }

  @Test
  void contentSealedOnOneNodeOpensOnAnother() {
    ContentKey key = join(node().forSending("bob"));
    String sealed = key.seal("see you at 8 — 🧗", PLACE);
    assertNotEquals("see you at 8 — 🧗", sealed);
    assertTrue(!sealed.contains("see you"), sealed);
    ContentKey read = join(node().forReading("bob", key.keyId())).orElseThrow();
    assertEquals(Optional.of("see you at 8 — 🧗"), read.open(sealed, PLACE));
    ContentKey carols = join(node().forSending("carol"));
    assertEquals(Optional.empty(), ContentKey.of("bob", carols.keyId(), carols.secretBytes()).open(sealed, PLACE),
        "another user's key does not open it");
  }

  @Test
  void anErasedKeyIsGoneFromTheTableAndANewOneDiffers() {
    ContentKeys node = node();
    ContentKeys other = node();
    ContentKey key = join(node.forSending("dave"));
    String sealed = key.seal("a secret", PLACE);
    assertTrue(join(other.forReading("dave", key.keyId())).isPresent());

    join(node.erase("dave"));
    assertNull(item("dave"), "no trace of the key in the table");
    assertEquals(Optional.empty(), join(node.forReading("dave", key.keyId())));
    other.forget("dave"); // what the erasure notice does on every node
    assertEquals(Optional.empty(), join(other.forReading("dave", key.keyId())));

    ContentKey next = join(other.forSending("dave"));
    assertNotEquals(key.keyId(), next.keyId());
    assertEquals(Optional.empty(), ContentKey.of("dave", key.keyId(), next.secretBytes()).open(sealed, PLACE));
    join(node.erase("dave"));
    join(node.erase("dave")); // erasing again is harmless
  }

  @Test
  void anErasingMarkRefusesNewKeysKeepsTheOldOneUntilDeletedAndIsReplacedOnceOldEnough() {
    DynamoDbKeyTable table = new DynamoDbKeyTable(local.sync, TABLE, blocking);
    ContentKey key = join(node().forSending("erin"));
    join(table.markErasing("erin", 1_000));
    assertEquals(new KeyTable.Row(Optional.of(key), 1_000), join(table.read("erin")));
    ContentKey other = ContentKey.generate("erin");
    assertEquals(Optional.of(key), join(table.storeIfAbsent(other, 5_000)).key(), "a key is never replaced");

    join(table.delete("erin"));
    assertEquals(new KeyTable.Row(Optional.empty(), 1_000), join(table.read("erin")));
    assertNull(item("erin").get("k"), "no trace of the key");
    assertNull(item("erin").get("kid"));
    assertEquals(new KeyTable.Row(Optional.empty(), 1_000), join(table.storeIfAbsent(other, 1_000)),
        "the mark of an erasure that began at the bound or later stays");
    assertEquals(KeyTable.Row.of(other), join(table.storeIfAbsent(other, 1_001)));
    assertEquals(KeyTable.Row.of(other), join(table.read("erin")));

    join(table.markErasing("frank", 2_000)); // never sent: the mark alone keeps a key from being made
    assertEquals(new KeyTable.Row(Optional.empty(), 2_000),
        join(table.storeIfAbsent(ContentKey.generate("frank"), 2_000)));
  }

  @Test
  void anErasureMarkedAgainKeepsItsFirstMarkAndALaterOneMarksAfresh() {
    DynamoDbKeyTable table = new DynamoDbKeyTable(local.sync, TABLE, blocking);
    join(table.markErasing("gina", 1_000, 900));
    join(table.markErasing("gina", 3_000, 900)); // the erasure requested at 900, after a restart
    assertEquals(new KeyTable.Row(Optional.empty(), 1_000), join(table.read("gina")));
    join(table.markErasing("gina", 5_000, 4_000)); // another erasure, requested after that mark
    assertEquals(new KeyTable.Row(Optional.empty(), 5_000), join(table.read("gina")));
  }
}
