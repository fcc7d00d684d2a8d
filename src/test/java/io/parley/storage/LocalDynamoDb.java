package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClientBuilder;
import io.parley.store.EmbeddedStore;
import io.parley.testing.ParleyProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** The embedded store in this JVM with the journal's tables, for the coalescers' tests. */
final class LocalDynamoDb implements AutoCloseable {
  final EmbeddedDynamoDb dynamo;
  final AmazonDynamoDB sync;
  final AmazonDynamoDBAsyncClient async;

  private LocalDynamoDb(EmbeddedDynamoDb dynamo) {
    this.dynamo = dynamo;
    this.sync = DynamoDbClients.local(dynamo.endpoint());
    this.async = (AmazonDynamoDBAsyncClient) AmazonDynamoDBAsyncClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(dynamo.endpoint(), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .build();
  }

  /** Starts the embedded store on a free port with the tables {@code journal}, its snapshot and dedup tables. */
  static LocalDynamoDb start(Path dir, String journal) throws Exception {
    return start(dir, journal, EmbeddedStore.BUSY_TIMEOUT);
  }

  /** {@link #start(Path, String)}, its writes failing after {@code busyTimeout} behind another connection's lock. */
  static LocalDynamoDb start(Path dir, String journal, Duration busyTimeout) throws Exception {
    LocalDynamoDb local = new LocalDynamoDb(EmbeddedDynamoDb.start(dir, "127.0.0.1", ParleyProcess.freePort(), busyTimeout));
    DynamoDbTables.ensure(local.sync, journal, journal + "-snapshots", journal + "-dedup");
    return local;
  }

  /** The embedded store in this JVM, its data in {@code dir}, on a port nobody uses. */
  static EmbeddedDynamoDb onFreePort(Path dir) throws Exception {
    return EmbeddedDynamoDb.start(dir, ParleyProcess.freePort());
  }

  /**
   * Passes requests on to {@code target}, recording each; the first is held until {@code release}
   * completes, so that what is submitted meanwhile queues behind it and must share requests.
   */
  static <Q extends AmazonWebServiceRequest, S> GroupCommit.Sender<Q, S> holdingTheFirst(
      List<Q> sent, CompletableFuture<Void> release, GroupCommit.Sender<Q, S> target) {
    return (request, handler) -> {
      sent.add(request);
      if (sent.size() == 1) {
        release.thenRun(() -> target.send(request, handler));
      } else {
        target.send(request, handler);
      }
    };
  }

  /** A coalescer's answer, as a future. */
  static <R> BiConsumer<R, Exception> completing(CompletableFuture<R> future) {
    return (answer, failure) -> {
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(answer);
      }
    };
  }

  @Override
  public void close() throws Exception {
    async.shutdown();
    dynamo.close();
  }
}
