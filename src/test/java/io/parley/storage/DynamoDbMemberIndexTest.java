package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.user.KeptElsewhere;
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

  @Test
  void anErasureReadsAUsersConversationsAPageAtATimeInIdOrder() {
    List<String> groups = IntStream.range(0, 7).mapToObj(i -> "g.page-" + i).toList();
    for (String group : groups) {
      join(index.joined(group, List.of("pager", "other")));
    }
    List<String> read = new java.util.ArrayList<>();
    String after = null;
    KeptElsewhere.Page page;
    int pages = 0;
    do {
      page = join(index.conversationsOf("pager", after, 3));
      assertTrue(page.conversations().size() <= 3, page.toString());
      read.addAll(page.conversations());
      after = page.conversations().isEmpty() ? after : page.conversations().get(page.conversations().size() - 1);
      pages++;
    } while (page.more());
    assertEquals(groups, read);
    assertEquals(3, pages);
    assertEquals(new KeptElsewhere.Page(List.of("g.page-6"), false), join(index.conversationsOf("pager", "g.page-5", 1)));
  }
}
