package io.parley.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.http.HttpDoor;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/** The HTTP door through the AWS SDK for Java v2, as a tool or another service would call it. */
class HttpDoorSdkV2Test {
  @TempDir Path dir;

  @Test
  void theSdkV2WorksAgainstTheHttpDoor() {
    try (EmbeddedStore store = EmbeddedStore.open(dir);
        HttpDoor http = store.serveHttp("127.0.0.1", 0);
        DynamoDbClient client = DynamoDbClient.builder()
            .endpointOverride(URI.create(http.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      client.createTable(t -> t.tableName("sdk-v2").billingMode(BillingMode.PAY_PER_REQUEST)
          .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
              AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N).build())
          .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
              KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
      assertTrue(client.listTables().tableNames().contains("sdk-v2"));
      for (int i = 1; i <= 3; i++) {
        String seq = Integer.toString(i);
        client.putItem(p -> p.tableName("sdk-v2").item(Map.of("pk", s("a"), "sk", n(seq),
            "data", AttributeValue.builder().b(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x" + seq)).build())));
      }
      var page = client.query(q -> q.tableName("sdk-v2").keyConditionExpression("pk = :p AND sk > :s")
          .expressionAttributeValues(Map.of(":p", s("a"), ":s", n("1"))).scanIndexForward(false));
      assertEquals(List.of("3", "2"), page.items().stream().map(item -> item.get("sk").n()).toList());
      assertEquals("x3", page.items().get(0).get("data").b().asUtf8String());

      assertThrows(ConditionalCheckFailedException.class, () -> client.putItem(p -> p.tableName("sdk-v2")
          .item(Map.of("pk", s("a"), "sk", n("1"))).conditionExpression("attribute_not_exists(pk)")));
      TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
          () -> client.transactWriteItems(t -> t.transactItems(
              TransactWriteItem.builder().put(Put.builder().tableName("sdk-v2").item(Map.of("pk", s("b"), "sk", n("1")))
                  .build()).build(),
              TransactWriteItem.builder().put(Put.builder().tableName("sdk-v2").item(Map.of("pk", s("a"), "sk", n("2")))
                  .conditionExpression("attribute_not_exists(pk)").build()).build())));
      assertEquals(List.of("None", "ConditionalCheckFailed"),
          cancelled.cancellationReasons().stream().map(r -> r.code()).toList());
      assertEquals(0, client.getItem(g -> g.tableName("sdk-v2").key(Map.of("pk", s("b"), "sk", n("1")))).item().size(),
          "all or nothing");
    }
  }

  private static AttributeValue s(String value) {
    return AttributeValue.builder().s(value).build();
  }

  private static AttributeValue n(String value) {
    return AttributeValue.builder().n(value).build();
  }
}
