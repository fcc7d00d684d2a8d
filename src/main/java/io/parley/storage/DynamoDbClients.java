package io.parley.storage;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
import com.typesafe.config.Config;

/** A DynamoDB client configured exactly like the persistence plugin's (same endpoint and keys). */
public final class DynamoDbClients {
  private DynamoDbClients() {}

  /** A client of an embedded or local DynamoDB, which takes any key. */
  static AmazonDynamoDB local(String endpoint) {
    return AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint, "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
        .build();
  }

  /** In-process when this JVM runs the store the configuration names ({@link InProcessDynamoDb}). */
  public static AmazonDynamoDB fromJournalConfig(Config config) {
    Config journal = config.getConfig("dynamodb-journal");
    var inProcess = InProcessDynamoDb.at(journal.getString("endpoint"));
    if (inProcess.isPresent()) {
      return inProcess.get();
    }
    String key = journal.getString("aws-access-key-id");
    String secret = journal.getString("aws-secret-access-key");
    return AmazonDynamoDBClientBuilder.standard()
        .withEndpointConfiguration(
            new AwsClientBuilder.EndpointConfiguration(
                journal.getString("endpoint"), config.getString("parley.dynamodb.region")))
        .withCredentials(
            key.isEmpty() || secret.isEmpty()
                ? DefaultAWSCredentialsProviderChain.getInstance()
                : new AWSStaticCredentialsProvider(new BasicAWSCredentials(key, secret)))
        .build();
  }
}
