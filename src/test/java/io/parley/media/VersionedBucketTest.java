package io.parley.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.storage.S3ConnectorSettings;
import io.parley.testing.EntityHarness;
import io.parley.testing.ParleyProcess;
import io.parley.testing.TestS3;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import org.apache.pekko.stream.connectors.s3.BucketVersioningResult;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The start-up check of the media bucket's versioning, against s3proxy in this JVM. */
class VersionedBucketTest {
  static final String BUCKET = "parley-media";
  static final String KEY = "mediakey";
  static final String SECRET = "mediasecret";

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  S3Client bucket;

  @BeforeEach
  void setUp() throws Exception {
    s3 = EmbeddedObjectStore.start(temp.resolve("s3"), ParleyProcess.freePort(), BUCKET, KEY, SECRET);
    Map<String, Object> overrides = new HashMap<>();
    S3ConnectorSettings.connectorConfig(s3.endpoint(), KEY, SECRET, "us-east-1")
        .forEach((name, value) -> overrides.put("pekko.connectors.s3." + name, value));
    harness = new EntityHarness(ConfigFactory.parseMap(overrides).root().render());
    bucket = TestS3.client(s3.endpoint(), KEY, SECRET);
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.shutdown();
    bucket.close();
    s3.close();
  }

  private Optional<String> refusal(boolean allowed) {
    return VersionedBucket.refusal(harness.testKit.system(), BUCKET, allowed).toCompletableFuture().join();
  }

  @Test
  void aBucketWithoutVersionsIsFine() {
    assertEquals(Optional.empty(), refusal(false));
  }

  /**
   * s3proxy's filesystem store answers that versioning is not supported when asked to turn it on
   * (501), so a bucket keeping versions is S3's answer as the connector parses it.
   */
  @Test
  void aBucketThatKeepsVersionsIsRefusedUnlessAllowed() {
    assertEquals(501, assertThrows(S3Exception.class, () -> bucket.putBucketVersioning(b -> b.bucket(BUCKET)
        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)))).statusCode());

    for (var status : List.of(
        org.apache.pekko.stream.connectors.s3.BucketVersioningStatus.enabled(),
        org.apache.pekko.stream.connectors.s3.BucketVersioningStatus.suspended())) { // suspended keeps the old ones
      BucketVersioningResult versioning = BucketVersioningResult.create().withStatus(status);
      Optional<String> refused = VersionedBucket.refusal(BUCKET, versioning, false);
      assertTrue(refused.isPresent() && refused.get().contains("PARLEY_MEDIA_VERSIONED_BUCKET"), refused.toString());
      assertEquals(Optional.empty(), VersionedBucket.refusal(BUCKET, versioning, true), "allowed: a warning only");
    }
    assertEquals(Optional.empty(), VersionedBucket.refusal(BUCKET, BucketVersioningResult.create(), false));
  }
}
