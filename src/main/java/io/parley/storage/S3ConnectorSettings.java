package io.parley.storage;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.stream.connectors.s3.S3Settings;

/**
 * pekko-connectors-s3 settings for Parley's object store, from {@code parley.s3} as completed by
 * ParleyConfig: an explicit endpoint (s3proxy, MinIO, …) gets path-style access; without one the
 * connector talks to AWS S3 in the region. Static keys when configured, else the AWS default
 * credential chain.
 */
public final class S3ConnectorSettings {
  private S3ConnectorSettings() {}

  public static S3Settings from(Config config) {
    Map<String, Object> s3 = connectorConfig(
        config.getString("parley.s3.resolved-endpoint"),
        config.getString("parley.s3.access-key-id"),
        config.getString("parley.s3.secret-access-key"),
        config.getString("parley.s3.region"));
    return S3Settings.create(ConfigFactory.parseMap(s3).withFallback(config.getConfig("pekko.connectors.s3")));
  }

  /** The connector's settings, relative to {@code pekko.connectors.s3}. */
  public static Map<String, Object> connectorConfig(String endpoint, String key, String secret, String region) {
    Map<String, Object> s3 = new HashMap<>();
    if (!endpoint.isEmpty()) {
      s3.put("endpoint-url", endpoint);
      s3.put("access-style", "path");
    }
    if (key.isEmpty() || secret.isEmpty()) {
      s3.put("aws.credentials.provider", "default");
    } else {
      s3.put("aws.credentials.provider", "static");
      s3.put("aws.credentials.access-key-id", key);
      s3.put("aws.credentials.secret-access-key", secret);
    }
    s3.put("aws.region.provider", "static");
    s3.put("aws.region.default-region", region);
    return s3;
  }
}
