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
import java.util.ArrayList;
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
  private static final Pattern SEALED = Pattern.compile("[A-Za-z0-9_-]{40,}");
  public static final String KEY_TABLE = "parley-content-keys";

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

  /** The content keys the key table holds now. */
  public List<ContentKey> keys() {
    return items(KEY_TABLE, null).stream()
        .map(item -> ContentKey.of(item.get("u").getS(), item.get("kid").getS(), bytes(item.get("k").getB())))
        .toList();
  }

  /** An item's attributes as text, binary ones unzipped, with every sealed string opened. */
  public String readable(Map<String, AttributeValue> item, List<ContentKey> keys) {
    StringBuilder text = new StringBuilder();
    item.forEach((name, value) -> text.append(name).append('=').append(text(value)).append('\n'));
    return withOpened(text.toString(), keys);
  }

  /** Everything stored: every table's items and every S3 object, readable as above. */
  public String everything() {
    List<ContentKey> keys = keys();
    StringBuilder all = new StringBuilder();
    for (String table : dynamo.listTables().getTableNames()) {
      for (Map<String, AttributeValue> item : items(table, null)) {
        all.append(table).append(": ").append(readable(item, keys)).append('\n');
      }
    }
    try (Stream<Path> files = Files.walk(node.dataDir.resolve("s3"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        all.append(file).append(": ").append(withOpened(decoded(Files.readAllBytes(file)), keys)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }

  /** {@code sealed} opened with one of {@code keys}. */
  public static Optional<String> open(String sealed, List<ContentKey> keys) {
    return keys.stream().map(key -> key.open(sealed)).flatMap(Optional::stream).findFirst();
  }

  private static String withOpened(String text, List<ContentKey> keys) {
    StringBuilder opened = new StringBuilder(text);
    Matcher sealed = SEALED.matcher(text);
    while (sealed.find()) {
      open(sealed.group(), keys).ifPresent(plain -> opened.append("\nopened: ").append(plain).append('\n'));
    }
    return opened.toString();
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
