package io.parley.store.conformance;

import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.regions.DefaultAwsRegionProviderChain;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;

/**
 * Real DynamoDB (or any service that claims to be it) at {@code PARLEY_CONFORMANCE_DYNAMODB_ENDPOINT},
 * with the region and credentials of the SDK's default chains. The suite creates its own tables,
 * named {@code conformance-*}, and deletes them when each test ends.
 */
final class RealDynamoDbTarget implements Target {
  static final String ENDPOINT = "PARLEY_CONFORMANCE_DYNAMODB_ENDPOINT";
  private final AmazonDynamoDB client;

  private RealDynamoDbTarget(AmazonDynamoDB client) {
    this.client = client;
  }

  static boolean configured() {
    String endpoint = System.getenv(ENDPOINT);
    return endpoint != null && !endpoint.isBlank();
  }

  static Target connect() {
    String region = new DefaultAwsRegionProviderChain().getRegion();
    return new RealDynamoDbTarget(AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(System.getenv(ENDPOINT), region))
        .build());
  }

  @Override
  public String name() {
    return "dynamodb";
  }

  @Override
  public AmazonDynamoDB client() {
    return client;
  }

  @Override
  public boolean createsTablesAsynchronously() {
    return true;
  }

  @Override
  public void close() {
    client.shutdown();
  }
}
