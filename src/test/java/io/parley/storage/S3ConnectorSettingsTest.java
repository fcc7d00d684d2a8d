package io.parley.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.config.ParleyConfig;
import org.apache.pekko.stream.connectors.s3.S3Settings;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The cold tier reaches AWS S3 or any S3 endpoint (s3proxy) by configuration alone. */
class S3ConnectorSettingsTest {
  private static S3Settings settings(String env) {
    Config loaded = ConfigFactory.parseString(env).withFallback(ConfigFactory.load());
    String s3Endpoint = loaded.getString("parley.s3.endpoint");
    return S3ConnectorSettings.from(ParleyConfig.complete(loaded, "http://dynamo", s3Endpoint).resolve());
  }

  @Test
  void againstAwsTheConnectorUsesTheRegionTheDefaultCredentialChainAndNoEndpoint() {
    S3Settings aws = settings("parley { dynamodb.embedded = off, s3.embedded = off, dynamodb.region = eu-west-1, "
        + "s3.region = eu-west-1, s3.bucket = chat-archive }");
    assertTrue(aws.endpointUrl().isEmpty(), "AWS's own endpoint for the region");
    assertFalse(aws.pathStyleAccess(), "virtual-hosted buckets, as AWS prefers");
    assertInstanceOf(DefaultCredentialsProvider.class, aws.credentialsProvider());
    assertEquals(Region.EU_WEST_1, aws.s3RegionProvider().getRegion());
  }

  @Test
  void anExplicitEndpointGetsPathStyleAndTheConfiguredKeys() {
    S3Settings local = settings("parley { s3.embedded = off, s3.endpoint = \"http://127.0.0.1:9000\", "
        + "aws-access-key-id = minio, aws-secret-access-key = miniosecret }");
    assertEquals("http://127.0.0.1:9000", local.endpointUrl().get());
    assertTrue(local.pathStyleAccess());
    AwsBasicCredentials keys = (AwsBasicCredentials) local.credentialsProvider().resolveCredentials();
    assertEquals("minio", keys.accessKeyId());
    assertEquals("miniosecret", keys.secretAccessKey());
  }
}
