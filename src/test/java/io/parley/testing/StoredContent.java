package io.parley.testing;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.ScanRequest;
import com.amazonaws.services.dynamodbv2.model.ScanResult;
import io.parley.privacy.ContentKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * What a node has stored, read the way someone holding a copy of its whole store would: every
 * item of every DynamoDB table and every object in its S3 data directory, gzip undone, and every
 * sealed string opened with whichever content key the key table still holds. A user's content
 * is erased when none of it can be read this way.
 */
public final class StoredContent implements AutoCloseable {
  private static final Pattern SEALED = Pattern.compile("(?:2\\.)?[A-Za-z0-9_-]{40,}");
  /** A sender's id of a message, as events and segments store it. */
  private static final Pattern CLIENT_MSG_ID = Pattern.compile("\"(?:clientMsgId|client_msg_id)\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern CONVERSATION_ID = Pattern.compile("(?:d:|d%3A|g\\.)[A-Za-z0-9_.:%-]+");
  public static final String KEY_TABLE = "parley-content-keys";
  public static final String MEMBER_INDEX_TABLE = "parley-member-index";

  private final ParleyProcess node;
  private final AmazonDynamoDB dynamo;

  public StoredContent(ParleyProcess node) {
    this.node = node;
    this.dynamo = AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(
            "http://127.0.0.1:" + node.env("PARLEY_DYNAMODB_EMBEDDED_PORT"), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("parleylocal", "parleylocalsecret")))
        .build();
  }

  public AmazonDynamoDB dynamo() {
    return dynamo;
  }

  /** The items of {@code table} (those whose {@code par} starts with {@code partitionPrefix}, if given). */
  public List<Map<String, AttributeValue>> items(String table, String partitionPrefix) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    Map<String, AttributeValue> start = null;
    do {
      ScanRequest scan = new ScanRequest(table).withExclusiveStartKey(start).withConsistentRead(true);
      if (partitionPrefix != null) {
        scan.withFilterExpression("begins_with(par, :p)")
            .withExpressionAttributeValues(Map.of(":p", new AttributeValue(partitionPrefix)));
      }
      ScanResult result = dynamo.scan(scan);
      items.addAll(result.getItems());
      start = result.getLastEvaluatedKey();
    } while (start != null && !start.isEmpty());
    return items;
  }

  /** The content keys the key table holds now (an erased user's item keeps no key). */
  public List<ContentKey> keys() {
    return items(KEY_TABLE, null).stream()
        .filter(item -> item.containsKey("k"))
        .map(item -> ContentKey.of(item.get("u").getS(), item.get("kid").getS(), bytes(item.get("k").getB())))
        .toList();
  }

  /**
   * An item's attributes as text, binary ones unzipped, with every sealed string opened. Content is
   * sealed for its place (conversation and sender's message id, see {@link ContentKey#seal}), both
   * stored in plain beside it: it is tried at every place the item and the member index name
   * (previews, group titles and invites are at their conversation).
   */
  public String readable(Map<String, AttributeValue> item, List<ContentKey> keys) {
    StringBuilder text = new StringBuilder();
    item.forEach((name, value) -> text.append(name).append('=').append(text(value)).append('\n'));
    return withOpened(text.toString(), keys, knownConversations());
  }

  /** The conversations the member index names. */
  private Set<String> knownConversations() {
    if (!dynamo.listTables().getTableNames().contains(MEMBER_INDEX_TABLE)) {
      return Set.of();
    }
    Set<String> conversations = new HashSet<>();
    for (Map<String, AttributeValue> item : items(MEMBER_INDEX_TABLE, null)) {
      if (item.containsKey("c")) {
        conversations.add(item.get("c").getS());
      }
    }
    return conversations;
  }

  /** Everything stored: every table's items and every S3 object, readable as above. */
  public String everything() {
    List<ContentKey> keys = keys();
    Set<String> conversations = knownConversations();
    StringBuilder all = new StringBuilder();
    for (String table : dynamo.listTables().getTableNames()) {
      for (Map<String, AttributeValue> item : items(table, null)) {
        StringBuilder text = new StringBuilder();
        item.forEach((name, value) -> text.append(name).append('=').append(text(value)).append('\n'));
        all.append(table).append(": ").append(withOpened(text.toString(), keys, conversations)).append('\n');
      }
    }
    try (Stream<Path> files = Files.walk(node.dataDir.resolve("s3"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        all.append(file).append(": ")
            .append(withOpened(file + "\n" + decoded(Files.readAllBytes(file)), keys, conversations)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }

  /** {@code sealed} opened with one of {@code keys} at one of {@code places}. */
  public static Optional<String> open(String sealed, List<ContentKey> keys, Collection<String> places) {
    for (ContentKey key : keys) {
      for (String place : places) {
        Optional<String> plain = key.open(sealed, place);
        if (plain.isPresent()) {
          return plain;
        }
      }
    }
    return Optional.empty();
  }

  private static String withOpened(String text, List<ContentKey> keys, Set<String> knownConversations) {
    Set<String> conversations = conversations(text);
    if (conversations.isEmpty()) {
      conversations = knownConversations;
    }
    List<int[]> messageAt = new ArrayList<>(); // start, end of each message id in the text
    Matcher clientMsgId = CLIENT_MSG_ID.matcher(text);
    while (clientMsgId.find()) {
      messageAt.add(new int[] {clientMsgId.start(1), clientMsgId.end(1)});
    }
    StringBuilder opened = new StringBuilder(text);
    Matcher sealed = SEALED.matcher(text);
    while (sealed.find()) {
      int at = sealed.start();
      // A message's id is stored next to its content: the nearest are tried first.
      List<String> messages = messageAt.stream()
          .sorted(java.util.Comparator.comparingInt((int[] m) -> Math.abs(m[0] - at)))
          .map(m -> text.substring(m[0], m[1])).distinct().toList();
      List<String> places = new ArrayList<>();
      for (String conversation : conversations) {
        places.add(ContentKey.previewPlace(conversation));
        places.add(ContentKey.titlePlace(conversation));
        places.add(ContentKey.invitePlace(conversation));
      }
      for (String message : messages) {
        for (String conversation : conversations) {
          places.add(ContentKey.messagePlace(conversation, message));
        }
      }
      places.add(""); // content sealed before content had a place opens anywhere
      open(sealed.group(), keys, places).ifPresent(plain -> opened.append("\nopened: ").append(plain).append('\n'));
    }
    return opened.toString();
  }

  /**
   * The conversations {@code text} names. An id found may run on into what follows it (a journal
   * item's partition ends in {@code -<n>}), so every prefix of it ending before a '-' is one too.
   */
  private static Set<String> conversations(String text) {
    Set<String> conversations = new HashSet<>();
    Matcher id = CONVERSATION_ID.matcher(text);
    while (id.find()) {
      String found = URLDecoder.decode(id.group(), StandardCharsets.UTF_8);
      conversations.add(found);
      for (int dash = found.indexOf('-'); dash > 0; dash = found.indexOf('-', dash + 1)) {
        conversations.add(found.substring(0, dash));
      }
    }
    return conversations;
  }

  private static String text(AttributeValue value) {
    if (value.getB() != null) {
      return decoded(bytes(value.getB()));
    }
    if (value.getL() != null) {
      return value.getL().stream().map(StoredContent::text).toList().toString();
    }
    if (value.getM() != null) {
      StringBuilder map = new StringBuilder();
      value.getM().forEach((k, v) -> map.append(k).append('=').append(text(v)).append(' '));
      return map.toString();
    }
    return String.valueOf(value.getS() != null ? value.getS() : value);
  }

  /**
   * Bytes as text, and the text of every gzip stream inside them: compressed snapshots and events
   * (inside the journal's own envelope, so not only at the start) and cold segments.
   */
  private static String decoded(byte[] bytes) {
    StringBuilder text = new StringBuilder(new String(bytes, StandardCharsets.UTF_8));
    for (int i = 0; i + 2 < bytes.length; i++) {
      if ((bytes[i] & 0xff) == 0x1f && (bytes[i + 1] & 0xff) == 0x8b && bytes[i + 2] == 8) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes, i, bytes.length - i))) {
          text.append('\n').append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException notGzipAfterAll) {
          // a chance match of the magic bytes
        }
      }
    }
    return text.toString();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  @Override
  public void close() {
    dynamo.shutdown();
  }
}
