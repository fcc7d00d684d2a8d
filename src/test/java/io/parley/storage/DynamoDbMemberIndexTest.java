package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The member index in a real DynamoDB table (the embedded store). */
class DynamoDbMemberIndexTest {
  static final String TABLE = "member-index-test";
  @TempDir static Path dir;
  static LocalDynamoDb local;
  static ExecutorService blocking;
  static DynamoDbMemberIndex index;

  @BeforeAll
  static void start() throws Exception {
    local = LocalDynamoDb.start(dir, "journal-member-index-test");
    DynamoDbTables.ensureKeyed(local.sync, TABLE, "u", "c");
    blocking = Executors.newFixedThreadPool(4);
    index = new DynamoDbMemberIndex(local.sync, TABLE, RowWrites.BATCHES, blocking);
  }

  @AfterAll
  static void stop() throws Exception {
    blocking.shutdownNow();
    local.close();
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void aUsersConversationsAreListedEvenPastOnePageAndForgottenOnErasure() {
    List<String> members = IntStream.range(0, 60).mapToObj(i -> "member-" + i).toList(); // more than one batch
    join(index.joined("g.one", members));
    join(index.joined("g.two", List.of("member-7", "member-8")));
    join(index.joined("g.two", List.of("member-7"))); // again: nothing changes
    assertEquals(List.of("g.one", "g.two"), join(index.conversationsOf("member-7")));
    assertEquals(List.of("g.one"), join(index.conversationsOf("member-59")));

    join(index.forget("member-7"));
    assertEquals(List.of(), join(index.conversationsOf("member-7")));
    assertEquals(List.of("g.one", "g.two"), join(index.conversationsOf("member-8")), "others keep theirs");
  }
}
