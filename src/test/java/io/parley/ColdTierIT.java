package io.parley;

import static io.parley.testing.WsClient.frame;
import static io.parley.testing.WsClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.conversation.Segment;
import io.parley.archive.SegmentFormat;
import io.parley.conversation.ChatMessage;
import io.parley.conversation.ConversationActor;
import io.parley.testing.ApiClient;
import io.parley.privacy.ContentKey;
import io.parley.testing.ParleyProcess;
import io.parley.testing.Poll;
import io.parley.testing.StoredContent;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cold tier against the real process, its embedded store and s3proxy: messages older
 * than PARLEY_ARCHIVE_AFTER (seconds here) move to S3 segments, the journal table really loses
 * them, and every history page, over HTTP and WebSocket, is what it was before. Crash injection
 * halts the node right after each step of an archive run; after a restart the run completes and
 * history never had a gap or a duplicate.
 */
class ColdTierIT {
  static final int SEGMENT_MAX = 10;
  static final int PAGE = 7;

  @TempDir Path temp;

  /**
   * Each step of an archive run starts on the conversation's tick (its hand-off retry interval):
   * every 500 ms instead of 2 s, so that the waits below end soon after the run does.
   */
  static final List<String> NODE_OPTIONS = List.of("-Dparley.conversation.handoff-retry-interval=500ms");

  static Map<String, String> archiveEnv() {
    return new HashMap<>(Map.of(
        "PARLEY_ARCHIVE_AFTER", "4s",
        "PARLEY_ARCHIVE_BATCH_WINDOW", "0s",
        "PARLEY_ARCHIVE_SEGMENT_MAX_MESSAGES", Integer.toString(SEGMENT_MAX),
        "PARLEY_RATE_LIMIT_PER_MINUTE", "100000",
        "PARLEY_RATE_LIMIT_BURST", "10000"));
  }

  /** Two fresh users and their direct conversation. */
  record Chat(String alice, String bob, String id) {
    static Chat fresh() {
      String suffix = UUID.randomUUID().toString().substring(0, 8);
      return new Chat("alice-" + suffix, "bob-" + suffix, "d:alice-" + suffix + ":bob-" + suffix);
    }

    String content(int n) {
      return "cold message " + n + " of " + id;
    }
  }

  @Test
  void oldMessagesMoveToS3AndEveryPageReadsAsBefore() {
    try (ParleyProcess node = ParleyProcess.start(temp, archiveEnv(), NODE_OPTIONS)) {
      ApiClient api = new ApiClient(node);
      Chat chat = Chat.fresh();
      String aliceToken = api.token(chat.alice());
      send(api, aliceToken, chat, 1, 25);
      List<JsonNode> httpBefore = httpPages(api, aliceToken, chat.id());
      List<JsonNode> wsBefore;
      try (WsClient alice = connect(node, aliceToken, "laptop")) {
        wsBefore = wsPages(alice, chat.id());
      }
      assertEquals(Set.of(), segmentFiles(node, chat), "the pages above were read before any archiving");
      // One read for both: the archive may run right after it (its threshold is seconds).
      List<String> itemsThen = journalItems(node, chat);
      assertEquals(25, holding(itemsThen, chat, 1, 25).size(), "every message is in DynamoDB");
      int itemsBefore = itemsThen.size();

      // 25 messages, at most 10 a segment: at least three runs (more when a tick found only some
      // of them old enough).
      Poll.until(Duration.ofSeconds(30), () -> segmentsTile(node, chat, 25)
          && journalItemsHolding(node, chat, 1, 25).isEmpty());
      assertTrue(segmentFiles(node, chat).size() >= 3);
      int itemsAfter = journalItems(node, chat).size();
      assertTrue(itemsAfter < itemsBefore, "the journal shrank: " + itemsBefore + " → " + itemsAfter + " items");

      assertEquals(httpBefore, httpPages(api, aliceToken, chat.id()), "HTTP pages unchanged");
      try (WsClient alice = connect(node, aliceToken, "laptop")) {
        assertEquals(wsBefore, wsPages(alice, chat.id()), "history.get pages unchanged");
      }

      // New (hot) messages after the cold ones: pages straddle the boundary, gapless, in order.
      send(api, aliceToken, chat, 26, 30);
      List<JsonNode> pages = httpPages(api, aliceToken, chat.id());
      List<JsonNode> messages = messagesOf(pages);
      assertEquals(IntStream.rangeClosed(1, 30).boxed().toList(),
          messages.stream().map(m -> m.get("seq").asInt()).toList());
      assertEquals(messagesOf(httpBefore), messages.subList(0, 25), "cold messages unchanged");
      for (JsonNode m : messages) {
        assertEquals(chat.content(m.get("seq").asInt()), m.get("content").asText());
      }
      assertEquals(List.of(true, true, true, true, false),
          pages.stream().map(p -> p.get("has_more").asBoolean()).toList());

      // Bob never connected: everything is pending for him, and re-delivery reads the cold part
      // from S3 just as history does.
      try (WsClient bob = connect(node, api.token(chat.bob()), "phone")) {
        for (JsonNode expected : messages) {
          int seq = expected.get("seq").asInt();
          JsonNode delivered = bob.await(f -> "msg.new".equals(f.path("type").asText()) && f.path("seq").asInt() == seq);
          assertEquals(seq, delivered.get("cursor").asInt());
          ObjectNode withoutCursor = ((ObjectNode) delivered.deepCopy()).without("cursor");
          assertEquals(expected, withoutCursor, "delivered as history shows it");
        }
      }
    }
  }

  @Test
  void aConversationAsleepWhenItsMessagesAgeIsWokenByTheCalendarToArchiveThem() throws Exception {
    Map<String, String> env = archiveEnv();
    env.put("PARLEY_ARCHIVE_AFTER", "10s");
    env.put("PARLEY_CONVERSATION_PASSIVATE_AFTER_IDLE", "1s");
    env.put("PARLEY_ARCHIVE_CALENDAR_SLOT", "1s");
    try (ParleyProcess node = ParleyProcess.start(temp, env, NODE_OPTIONS)) {
      ApiClient api = new ApiClient(node);
      Chat chat = Chat.fresh();
      send(api, api.token(chat.alice()), chat, 1, 5);
      Poll.until(Duration.ofSeconds(30), () -> runningConversations(node) == 0);
      assertEquals(5, journalItemsHolding(node, chat, 1, 5).size(), "asleep before its messages aged");
      assertEquals(Set.of(), segmentFiles(node, chat));

      // Nobody touches the conversation again: the calendar wakes it once the messages are old.
      Poll.until(Duration.ofSeconds(40), () -> segmentsTile(node, chat, 5)
          && journalItemsHolding(node, chat, 1, 5).isEmpty());

      // A stop right after the archive wrote to S3 logs no error: the S3 client's connection pool
      // closes with the node, where it was torn down with the actor system, which logged one.
      int linesBefore = log(node).split("\n").length;
      node.terminate();
      List<String> errors = Arrays.stream(log(node).split("\n")).skip(linesBefore)
          .filter(line -> line.contains(" ERROR ") || line.startsWith("[ERROR]"))
          .toList();
      assertEquals(List.of(), errors, "errors logged once SIGTERM came");
    }
  }

  static double runningConversations(ParleyProcess node) {
    try {
      return node.managementBody("/metrics").lines()
          .filter(line -> line.startsWith("parley_entities{region=\"conversation\"}"))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .findFirst().orElseThrow(() -> new AssertionError("no parley_entities gauge for conversations"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void aCrashAfterAnyStepOfARunLeavesNoGapNorDuplicate() {
    Map<String, String> env = archiveEnv();
    List<String> steps = List.of("s3-written", "persisted", "snapshotted", "deleted");
    List<Chat> chats = steps.stream().map(step -> Chat.fresh()).toList();
    env.put("PARLEY_ARCHIVE_CRASH_AFTER", steps.get(0) + ":" + chats.get(0).id());
    try (ParleyProcess node = ParleyProcess.start(temp, env, NODE_OPTIONS)) {
      ApiClient api = new ApiClient(node);
      for (int i = 0; i < steps.size(); i++) {
        Chat chat = chats.get(i);
        String token = api.token(chat.alice());
        send(api, token, chat, 1, 15);
        List<JsonNode> before = httpPages(api, token, chat.id());
        assertEquals(15, messagesOf(before).size());

        assertTrue(node.awaitExit(Duration.ofSeconds(40)), "the node halts after " + steps.get(i));
        String hookLine = "ARCHIVE CRASH HOOK: halting after " + steps.get(i) + " of " + chat.id();
        assertTrue(log(node).contains(hookLine), "halted at the injected step: " + hookLine);

        // Restart (with the next crash armed for the next conversation only).
        node.setEnv("PARLEY_ARCHIVE_CRASH_AFTER",
            i + 1 < steps.size() ? steps.get(i + 1) + ":" + chats.get(i + 1).id() : null);
        node.launch();
        token = api.token(chat.alice());
        assertEquals(before, httpPages(api, token, chat.id()), "history whole while the run resumes");

        // The retried run wrote the same range to the same key: the objects tile 1..15, none overlaps.
        try {
          Poll.until(Duration.ofSeconds(30), () -> segmentsTile(node, chat, 15)
              && journalItemsHolding(node, chat, 1, 15).isEmpty());
        } catch (AssertionError notResumed) {
          throw new AssertionError("the run cut short after " + steps.get(i) + " did not finish; segments "
              + segmentFiles(node, chat) + ", journal items holding 1..15: " + journalItemsHolding(node, chat, 1, 15)
              + "; the node's last lines:\n" + node.recentLines(80), notResumed);
        }
        assertEquals(before, httpPages(api, token, chat.id()), "history whole after the run, after " + steps.get(i));
      }
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private static void send(ApiClient api, String token, Chat chat, int from, int to) {
    for (int n = from; n <= to; n++) {
      ApiClient.Response sent = api.post(token, "/v1/messages",
          "{\"conversation_id\":\"" + chat.id() + "\",\"client_msg_id\":\"m" + n + "\",\"content\":\"" + chat.content(n) + "\"}");
      assertEquals(200, sent.status(), () -> "send: " + sent);
      assertEquals(n, sent.body().get("seq").asInt());
    }
  }

  private static WsClient connect(ParleyProcess node, String token, String deviceId) {
    WsClient client = WsClient.connect(node, token, deviceId);
    client.await(type("hello"));
    return client;
  }

  /** Every page, newest first, as a client pages back with {@code before}. */
  private static List<JsonNode> httpPages(ApiClient api, String token, String conversationId) {
    List<JsonNode> pages = new ArrayList<>();
    String query = "?limit=" + PAGE;
    while (true) {
      ApiClient.Response page = api.get(token, "/v1/conversations/" + conversationId + "/messages" + query);
      assertEquals(200, page.status(), () -> "history: " + page);
      pages.add(page.body());
      if (!page.body().get("has_more").asBoolean()) {
        return pages;
      }
      query = "?limit=" + PAGE + "&before=" + page.body().get("messages").get(0).get("seq").asLong();
    }
  }

  private static List<JsonNode> wsPages(WsClient client, String conversationId) {
    List<JsonNode> pages = new ArrayList<>();
    Long before = null;
    while (true) {
      ObjectNode request = frame("history.get").put("conversation_id", conversationId).put("limit", PAGE);
      if (before != null) {
        request.put("before_seq", before);
      }
      JsonNode page = ((ObjectNode) client.request(request)).without("req_id");
      assertEquals("history", page.get("type").asText(), () -> "history.get: " + page);
      pages.add(page);
      if (!page.get("has_more").asBoolean()) {
        return pages;
      }
      before = page.get("messages").get(0).get("seq").asLong();
    }
  }

  /** The messages of pages read newest first, in ascending seq. */
  private static List<JsonNode> messagesOf(List<JsonNode> pages) {
    List<JsonNode> messages = new ArrayList<>();
    for (int i = pages.size() - 1; i >= 0; i--) {
      pages.get(i).get("messages").forEach(messages::add);
    }
    return messages;
  }

  /**
   * Whether the conversation's segment objects hold exactly messages 1..n between them, each
   * once, each object a contiguous run named after its first seq (so an orphaned object from an
   * unrecorded run would show as an overlap).
   */
  private static boolean segmentsTile(ParleyProcess node, Chat chat, int n) {
    Path bucket = node.dataDir.resolve("s3").resolve("parley");
    List<ContentKey> keys;
    try (StoredContent stored = new StoredContent(node)) {
      keys = stored.keys();
    }
    long next = 1;
    for (String key : segmentFiles(node, chat).stream().sorted().toList()) {
      List<ChatMessage> messages;
      try {
        messages = SegmentFormat.decode(chat.id(), Files.readAllBytes(bucket.resolve(key)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (messages.isEmpty() || !key.equals(new Segment(next, next + messages.size() - 1).key(chat.id()))) {
        return false;
      }
      for (ChatMessage m : messages) {
        // Stored sealed with the sender's key, as in the journal.
        if (m.seq() != next++ || !StoredContent.open(m.content(), keys,
            List.of(ContentKey.messagePlace(chat.id(), m.clientMsgId()))).equals(Optional.of(chat.content((int) m.seq())))) {
          return false;
        }
      }
    }
    return next == n + 1;
  }

  /** The segment objects of the conversation in the embedded s3proxy's bucket. */
  private static Set<String> segmentFiles(ParleyProcess node, Chat chat) {
    Path bucket = node.dataDir.resolve("s3").resolve("parley");
    Path dir = bucket.resolve(Segment.prefix(chat.id()));
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> bucket.relativize(f).toString()).filter(k -> k.endsWith(".jsonl.gz"))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The conversation's event items in the journal table, as text with their content opened. */
  private static List<String> journalItems(ParleyProcess node, Chat chat) {
    try (StoredContent stored = new StoredContent(node)) {
      List<ContentKey> keys = stored.keys();
      String partitionPrefix = "journal-P-" + ConversationActor.persistenceId(chat.id()).id() + "-";
      return stored.items("parley-journal", partitionPrefix).stream().map(item -> stored.readable(item, keys)).toList();
    }
  }

  /** Journal items holding any of messages {@code from..to}, by their content. */
  private static List<String> journalItemsHolding(ParleyProcess node, Chat chat, int from, int to) {
    return holding(journalItems(node, chat), chat, from, to);
  }

  /** Those of {@code items} holding any of messages {@code from..to}, by their content. */
  private static List<String> holding(List<String> items, Chat chat, int from, int to) {
    List<String> contents = IntStream.rangeClosed(from, to).mapToObj(chat::content).toList();
    return items.stream()
        .filter(item -> contents.stream().anyMatch(c -> item.contains(c + "\"") || item.contains("opened: " + c + "\n")))
        .toList();
  }

  private static String log(ParleyProcess node) {
    try {
      return Files.readString(node.logFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
