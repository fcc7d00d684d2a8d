package io.parley.store;

import static io.parley.store.StoreFixture.item;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.ResourceInUseException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link CrashTest}: writes items through the in-process door from several
 * threads, forever, and prints "ACK key" for each write once the store has answered it.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) {
    EmbeddedStore store = EmbeddedStore.open(Path.of(args[0]));
    AmazonDynamoDB dynamo = store.inProcessClient();
    try {
      dynamo.createTable(StoreFixture.table("crash", "k", null));
    } catch (ResourceInUseException existing) {
      // A second run on the same directory.
    }
    PrintStream out = System.out;
    out.println("READY");
    out.flush();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      new Thread(() -> {
        for (int i = 0; ; i++) {
          String key = "t" + thread + "-" + i;
          dynamo.putItem("crash", item("k", key, "payload", "x".repeat(200)));
          synchronized (out) {
            out.println("ACK " + key);
            out.flush();
          }
        }
      }).start();
    }
  }
}
