package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClient;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsyncClientBuilder;
import com.amazonaws.services.dynamodbv2.model.DescribeTableResult;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin's own client, replaced by the in-process one, finishes the calls it was making. */
class PluginClientTest {
  static final String TABLE_ACTIVE = "{\"Table\":{\"TableName\":\"parley-journal\",\"TableStatus\":\"ACTIVE\"}}";

  /** Stands in for DynamoDB: answers a DescribeTable once the test lets it. */
  HttpServer dynamo;
  final CompletableFuture<Void> asked = new CompletableFuture<>();
  final CompletableFuture<Void> answer = new CompletableFuture<>();
  AmazonDynamoDBAsyncClient own;

  @BeforeEach
  void start() throws Exception {
    dynamo = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    dynamo.createContext("/", exchange -> {
      asked.complete(null);
      answer.join();
      byte[] body = TABLE_ACTIVE.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    dynamo.start();
    own = (AmazonDynamoDBAsyncClient) AmazonDynamoDBAsyncClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(
            "http://127.0.0.1:" + dynamo.getAddress().getPort(), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .build();
  }

  @AfterEach
  void stop() {
    answer.complete(null);
    own.shutdown();
    dynamo.stop(0);
  }

  @Test
  void aRetiredClientAnswersTheCallUnderWayTakesNoNewOnesAndShutsDown() throws Exception {
    // As the journal's constructor does before its client is replaced.
    Future<DescribeTableResult> tableCheck = own.describeTableAsync("parley-journal");
    asked.get(10, TimeUnit.SECONDS);

    PluginClient.retire(own);
    answer.complete(null);

    assertEquals("ACTIVE", tableCheck.get(10, TimeUnit.SECONDS).getTable().getTableStatus());
    assertThrows(RejectedExecutionException.class, () -> own.describeTableAsync("parley-journal"));
    assertTrue(own.getExecutorService().awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void thePinnedPluginHasTheShapeParleyReachesInto() {
    PluginClient.checkPluginShape(); // throws, and the node refuses to start, on another shape
  }
}
