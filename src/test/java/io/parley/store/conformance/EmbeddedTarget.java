package io.parley.store.conformance;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import io.parley.store.EmbeddedStore;
import io.parley.store.http.HttpDoor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Parley's embedded store in a temporary directory, through one of its two doors. */
final class EmbeddedTarget implements Target {
  private final String name;
  private final Path dir;
  private final EmbeddedStore store;
  private final HttpDoor http;
  private final AmazonDynamoDB client;

  private EmbeddedTarget(String name, boolean overHttp) {
    this.name = name;
    try {
      this.dir = Files.createTempDirectory("parley-conformance-" + name);
    } catch (IOException failed) {
      throw new UncheckedIOException(failed);
    }
    this.store = EmbeddedStore.open(dir);
    this.http = overHttp ? store.serveHttp("127.0.0.1", 0) : null;
    this.client = overHttp ? SdkClients.local(http.endpoint()) : store.inProcessClient();
  }

  /** Called without HTTP: the SDK's request objects straight to the store. */
  static Target inProcess() {
    return new EmbeddedTarget("embedded-in-process", false);
  }

  /** Over DynamoDB's JSON protocol, through the AWS SDK's own HTTP client. */
  static Target overHttp() {
    return new EmbeddedTarget("embedded-http", true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public AmazonDynamoDB client() {
    return client;
  }

  @Override
  public void close() {
    if (http != null) {
      client.shutdown();
      http.close();
    }
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }
}
