package io.parley.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.SdkClientException;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.amazonaws.services.dynamodbv2.model.AttributeDefinition;
import com.amazonaws.services.dynamodbv2.model.AttributeValue;
import com.amazonaws.services.dynamodbv2.model.CreateTableRequest;
import com.amazonaws.services.dynamodbv2.model.KeySchemaElement;
import com.amazonaws.services.dynamodbv2.model.KeyType;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynoxide harness: it answers on its port, keeps a database file across restarts, and stops. */
class DynoxideTest {
  @TempDir Path temp;

  @Test
  void keepsItsTablesInTheDatabaseFileAcrossARestartAndStopsWhenClosed() {
    Path file = temp.resolve("dynoxide.db");
    Map<String, AttributeValue> item = Map.of("pk", new AttributeValue("kept"));
    String endpoint;
    try (Dynoxide first = Dynoxide.start(file)) {
      endpoint = first.endpoint();
      AmazonDynamoDB db = client(endpoint);
      db.createTable(new CreateTableRequest().withTableName("kept").withBillingMode("PAY_PER_REQUEST")
          .withAttributeDefinitions(new AttributeDefinition("pk", ScalarAttributeType.S))
          .withKeySchema(new KeySchemaElement("pk", KeyType.HASH)));
      db.putItem("kept", item);
      db.shutdown();
    }
    AmazonDynamoDB stopped = client(endpoint);
    assertThrows(SdkClientException.class, stopped::listTables, "closed means stopped");
    stopped.shutdown();
    try (Dynoxide second = Dynoxide.start(file)) {
      AmazonDynamoDB db = client(second.endpoint());
      assertEquals(item, db.getItem("kept", item).getItem());
      db.shutdown();
    }
  }

  private static AmazonDynamoDB client(String endpoint) {
    return AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint, "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .withClientConfiguration(new com.amazonaws.ClientConfiguration().withMaxErrorRetry(0))
        .build();
  }
}
