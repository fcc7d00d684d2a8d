package io.parley.storage;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;

/** DynamoDB Local running inside this JVM, file-backed, for the single-node default and tests. */
public final class EmbeddedDynamoDb implements AutoCloseable {
  private final DynamoDBProxyServer server;
  private final int port;

  private EmbeddedDynamoDb(DynamoDBProxyServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedDynamoDb start(Path dataDir, int port) throws Exception {
    Path dir = Files.createDirectories(dataDir);
    // -sharedDb: one database whatever the access key and region, so every node and tool sees it.
    DynamoDBProxyServer server =
        ServerRunner.createServerFromCommandLineArgs(
            new String[] {
              "-port", Integer.toString(port), "-sharedDb", "-disableTelemetry",
              "-dbPath", dir.toAbsolutePath().toString()
            });
    server.start();
    return new EmbeddedDynamoDb(server, port);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  private boolean stopped;

  @Override
  public synchronized void close() throws Exception {
    if (!stopped) {
      stopped = true;
      server.stop();
    }
  }
}
