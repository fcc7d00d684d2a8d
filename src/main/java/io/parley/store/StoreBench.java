package io.parley.store;

import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick measurement of the store alone: 1 KB PutItems through the in-process door from one
 * thread pool, group-committed. Prints puts per second, commits, puts per commit, latency and
 * process CPU per put. Not a test: run it by hand, e.g. under {@code taskset -c 0}.
 *
 * <p>Arguments: [threads (32)] [seconds (10)] [directory (a new temporary one, or "-")] [item
 * payload bytes (1000)].
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = args.length > 2 && !args[2].equals("-") ? Path.of(args[2]) : Files.createTempDirectory("parley-store-bench");
    int payloadBytes = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    EmbeddedStore store = EmbeddedStore.open(dir);
    try {
      AmazonDynamoDB dynamo = store.inProcessClient();
      dynamo.createTable(new CreateTableRequest().withTableName("bench")
          .withKeySchema(new KeySchemaElement("par", KeyType.HASH), new KeySchemaElement("num", KeyType.RANGE))
          .withAttributeDefinitions(new AttributeDefinition("par", "S"), new AttributeDefinition("num", "N")));
      String payload = "x".repeat(payloadBytes);
      AtomicLong puts = new AtomicLong();
      long[][] latencies = new long[threads][];
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long commitsBefore = store.engine().commits();
      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        pool.execute(() -> {
          long[] mine = new long[1 << 20];
          int count = 0;
          for (long n = 0; System.nanoTime() < end; n++) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("par", new AttributeValue().withS("journal-P-conversation-" + thread + "-0123456789abcdef"));
            item.put("num", new AttributeValue().withN(Long.toString(n)));
            item.put("payload", new AttributeValue().withS(payload));
            long before = System.nanoTime();
            dynamo.putItem("bench", item);
            if (count < mine.length) {
              mine[count++] = System.nanoTime() - before;
            }
            puts.incrementAndGet();
          }
          latencies[thread] = Arrays.copyOf(mine, count);
        });
      }
      pool.shutdown();
      pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
      double elapsed = (System.nanoTime() - start) / 1e9;
      long cpu = processCpuNanos() - cpuBefore;
      long commits = store.engine().commits() - commitsBefore;
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf("threads %d, %.1f s: %d puts, %.0f puts/s, %d commits, %.1f puts/commit%n",
          threads, elapsed, puts.get(), puts.get() / elapsed, commits, puts.get() / (double) Math.max(1, commits));
      System.out.printf("latency p50 %.2f ms, p99 %.2f ms; process CPU %.1f µs per put (%.0f %% of one core)%n",
          all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, cpu / 1e3 / Math.max(1, puts.get()),
          100.0 * cpu / 1e9 / elapsed);
      store.close();
      long bytes = Files.walk(dir).filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
      System.out.printf("data after close: %s, %d bytes, %.0f bytes per item of %d payload bytes%n", dir, bytes,
          bytes / (double) Math.max(1, puts.get()), payloadBytes);
    } finally {
      store.close();
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
