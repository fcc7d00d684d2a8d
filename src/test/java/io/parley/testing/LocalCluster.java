package io.parley.testing;

import io.parley.storage.EmbeddedDynamoDb;
import io.parley.storage.EmbeddedObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Parley JVMs on 127.0.0.1 forming one Pekko cluster, sharing one embedded store and one S3 run
 * here by the test, as external stores would be.
 */
public final class LocalCluster implements AutoCloseable {
  public final EmbeddedDynamoDb dynamo;
  public final EmbeddedObjectStore s3;
  public final List<ParleyProcess> nodes = new ArrayList<>();
  static final String CLUSTER_SECRET = "a-secret-shared-by-the-test-cluster-0123456789";

  private LocalCluster(EmbeddedDynamoDb dynamo, EmbeddedObjectStore s3) {
    this.dynamo = dynamo;
    this.s3 = s3;
  }

  /** Starts the stores and {@code size} nodes, each with {@code env} on top of what joins them. */
  public static LocalCluster start(Path temp, int size, Map<String, String> env) throws Exception {
    return start(temp, size, env, List.of());
  }

  /** As {@link #start(Path, int, Map)}, each node with {@code jvmOptions} too (such as {@code -D} settings). */
  public static LocalCluster start(Path temp, int size, Map<String, String> env, List<String> jvmOptions)
      throws Exception {
    LocalCluster cluster = new LocalCluster(
        EmbeddedDynamoDb.start(temp.resolve("dynamodb"), ParleyProcess.freePort()),
        EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), "parley", "clusterkey", "clustersecret"));
    List<Integer> clusterPorts = IntStream.range(0, size).mapToObj(i -> ParleyProcess.freePort()).toList();
    String seeds = clusterPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    // The nodes start side by side: each waits mostly on the others (the first seed forms the
    // cluster once the other seeds answer, or after its seed-node timeout; the others join it
    // whenever it is up), and Pekko lets seed nodes start in any order. Each has ports and a data
    // dir of its own; the list keeps the seed order.
    ExecutorService starting = Executors.newFixedThreadPool(size);
    try {
      List<Future<ParleyProcess>> started = new ArrayList<>();
      for (int port : clusterPorts) {
        List<String> nodeJvmOptions = new ArrayList<>(jvmOptions);
        if (port != clusterPorts.get(0)) {
          // Until the first seed is up, the others ask again every second rather than every 5 s;
          // and one relaunched while its old self was still a member asks again after 2 s, not 10 s.
          // The first seed keeps Pekko's timeouts: its seed-node timeout is how long it waits for
          // the others' answer before it forms a cluster of its own.
          nodeJvmOptions.addAll(0, List.of(
              "-Dpekko.cluster.seed-node-timeout=1s", "-Dpekko.cluster.retry-unsuccessful-join-after=2s"));
        }
        Map<String, String> nodeEnv = new HashMap<>(Map.of(
            "PARLEY_DYNAMODB_EMBEDDED", "off",
            "PARLEY_DYNAMODB_ENDPOINT", cluster.dynamo.endpoint(),
            "PARLEY_S3_EMBEDDED", "off",
            "PARLEY_S3_ENDPOINT", cluster.s3.endpoint(),
            "PARLEY_AWS_ACCESS_KEY_ID", "clusterkey",
            "PARLEY_AWS_SECRET_ACCESS_KEY", "clustersecret",
            "PARLEY_HOST", "127.0.0.1",
            "PARLEY_CLUSTER_PORT", Integer.toString(port),
            "PARLEY_SEED_NODES", seeds));
        // Each data dir would otherwise make a secret of its own: a token from one node must work on all.
        nodeEnv.put("PARLEY_JWT_SECRET", CLUSTER_SECRET);
        nodeEnv.putAll(env);
        started.add(starting.submit(() -> ParleyProcess.start(temp, nodeEnv, nodeJvmOptions)));
      }
      Exception failed = null;
      for (Future<ParleyProcess> node : started) {
        try {
          cluster.nodes.add(node.get());
        } catch (ExecutionException notReady) {
          failed = failed == null ? notReady : failed;
        }
      }
      if (failed != null) {
        cluster.close(); // the nodes that did start, and the stores
        throw failed;
      }
    } finally {
      starting.shutdownNow();
    }
    return cluster;
  }

  @Override
  public void close() throws Exception {
    nodes.forEach(ParleyProcess::close);
    s3.close();
    dynamo.close();
  }
}
