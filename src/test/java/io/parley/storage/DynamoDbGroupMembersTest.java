package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.parley.conversation.GroupMembers.Row;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The members of large groups in a real DynamoDB table (the embedded store) with its index by user, beside the member index. */
class DynamoDbGroupMembersTest {
  static final String TABLE = "group-members-test";
  static final String INDEX_TABLE = "group-members-index-test";
  @TempDir static Path dir;
  static LocalDynamoDb local;
  static ExecutorService blocking;
  static DynamoDbGroupMembers members;
  static DynamoDbMemberIndex index;

  @BeforeAll
  static void start() throws Exception {
    local = LocalDynamoDb.start(dir, "journal-group-members-test");
    DynamoDbTables.ensureKeyedBothWays(local.sync, TABLE, "c", "u", DynamoDbGroupMembers.BY_USER);
    DynamoDbTables.ensureKeyed(local.sync, INDEX_TABLE, "u", "c");
    blocking = Executors.newFixedThreadPool(4);
    members = new DynamoDbGroupMembers(local.sync, TABLE, INDEX_TABLE, RowWrites.TRANSACTIONS, blocking);
    index = new DynamoDbMemberIndex(local.sync, INDEX_TABLE, RowWrites.TRANSACTIONS, blocking);
  }

  @AfterAll
  static void stop() throws Exception {
    blocking.shutdownNow();
    local.close();
  }

  private static <T> T join(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** Members {@code prefix}0000, {@code prefix}0001 …, the i-th joined after seq i; in user id order. */
  private static List<Row> rows(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> new Row(id(prefix, i), i, 0)).toList();
  }

  private static List<String> ids(String prefix, int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> id(prefix, i)).toList();
  }

  private static String id(String prefix, int i) {
    return String.format("%s%04d", prefix, i);
  }

  @Test
  void findTellsMembersFromOthersWithTheirSince() {
    join(members.add("g.find", List.of(new Row("alice", 7, 0), new Row("bob", 12, 0))));
    assertEquals(Map.of("alice", new Row("alice", 7, 0), "bob", new Row("bob", 12, 0)),
        join(members.find("g.find", List.of("alice", "bob", "carol"))));
    assertEquals(Map.of(), join(members.find("g.find", List.of("carol"))));
    assertEquals(Map.of(), join(members.find("g.find", List.of())));
    assertEquals(Map.of("alice", new Row("alice", 7, 0)), join(members.find("g.find", List.of("alice", "alice"))),
        "a user asked for twice is found once");
  }

  @Test
  void findAsksInRequestsOfAtMostAHundred() {
    join(members.add("g.many", rows("many-", 250)));
    Map<String, Row> found = join(members.find("g.many", ids("many-", 0, 300)));
    assertEquals(250, found.size());
    assertEquals(new Row("many-0249", 249, 0), found.get("many-0249"));
    assertEquals(null, found.get("many-0250"));
  }

  @Test
  void pagesGoThroughTheMembersInUserIdOrder() {
    List<Row> all = rows("page-", 2_500);
    join(members.add("g.pages", all));
    List<Row> first = join(members.page("g.pages", null, 1_000));
    List<Row> second = join(members.page("g.pages", first.get(first.size() - 1).userId(), 1_000));
    List<Row> third = join(members.page("g.pages", second.get(second.size() - 1).userId(), 1_000));
    assertEquals(all.subList(0, 1_000), first);
    assertEquals(all.subList(1_000, 2_000), second, "after is exclusive");
    assertEquals(all.subList(2_000, 2_500), third);
    assertEquals(List.of(), join(members.page("g.pages", "page-2499", 1_000)));
    assertEquals(List.of(), join(members.page("g.none", null, 1_000)));
  }

  @Test
  void removedMembersAreNoLongerFoundListedOrLargeGroupsOfTheirsButStayIndexed() {
    List<Row> all = rows("gone-", 40);
    join(members.add("g.remove", all));
    assertEquals(List.of("g.remove"), join(members.largeGroupsOf("gone-0003")));

    join(members.remove("g.remove", ids("gone-", 0, 30)));
    assertEquals(Map.of("gone-0030", new Row("gone-0030", 30, 0)), join(members.find("g.remove", ids("gone-", 0, 31))));
    assertEquals(all.subList(30, 40), join(members.page("g.remove", null, 100)));
    assertEquals(List.of(), join(members.largeGroupsOf("gone-0003")));
    assertEquals(List.of("g.remove"), join(members.largeGroupsOf("gone-0030")));
    assertEquals(List.of("g.remove"), join(index.conversationsOf("gone-0003")),
        "export and erasure still find the group they left");
  }

  @Test
  void addingAgainIsHarmlessAndTakesTheNewSince() {
    join(members.add("g.again", List.of(new Row("dave", 3, 0))));
    join(members.add("g.again", List.of(new Row("dave", 3, 0))));
    assertEquals(List.of(new Row("dave", 3, 0)), join(members.page("g.again", null, 10)));
    assertEquals(List.of("g.again"), join(members.largeGroupsOf("dave")));

    join(members.remove("g.again", List.of("dave")));
    join(members.add("g.again", List.of(new Row("dave", 9, 0), new Row("dave", 10, 0))));
    assertEquals(List.of(new Row("dave", 10, 0)), join(members.page("g.again", null, 10)), "rejoined: the last row wins");
    assertEquals(List.of("g.again"), join(members.largeGroupsOf("dave")));
  }

  @Test
  void groupsAreKeptApart() {
    join(members.add("g.left", List.of(new Row("erin", 1, 0), new Row("frank", 2, 0))));
    join(members.add("g.right", List.of(new Row("erin", 5, 0), new Row("gina", 6, 0))));
    join(index.joined("g.small", List.of("erin"))); // not a large group

    assertEquals(Map.of("erin", new Row("erin", 5, 0)), join(members.find("g.right", List.of("erin", "frank"))));
    assertEquals(List.of(new Row("erin", 1, 0), new Row("frank", 2, 0)), join(members.page("g.left", null, 10)));
    assertEquals(List.of("g.left", "g.right"), join(members.largeGroupsOf("erin")));

    join(members.remove("g.left", List.of("erin")));
    assertEquals(List.of("g.right"), join(members.largeGroupsOf("erin")));
    assertEquals(List.of(new Row("erin", 5, 0), new Row("gina", 6, 0)), join(members.page("g.right", null, 10)));
    assertEquals(List.of("g.left", "g.small"), join(index.conversationsOf("erin")),
        "the member index holds the groups left and the small ones; the large ones are the table's own index");
  }

  @Test
  void anUpdateStoresReadMarksOfMembersAndIndexesNothing() {
    join(members.add("g.read", List.of(new Row("hana", 4, 0))));
    join(members.update("g.read", List.of(new Row("hana", 4, 9))));
    assertEquals(Map.of("hana", new Row("hana", 4, 9)), join(members.find("g.read", List.of("hana"))));
    assertEquals(9, join(members.find("g.read", List.of("hana"))).get("hana").readThrough());
  }
}
