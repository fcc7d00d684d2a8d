package io.parley.testing;

import com.typesafe.config.ConfigFactory;
import io.parley.media.MediaActor;
import io.parley.media.MediaService;
import io.parley.media.MediaSettings;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.storage.S3ConnectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the media tests stand on, those of where media is stored and those of the gateway's media
 * routes: a real MediaService, its media stored in a real S3 (s3proxy in this JVM) and recorded by
 * real MediaActors (Pekko's persistence testkit), one per media id.
 */
public final class MediaOnS3 implements AutoCloseable {
  public final EmbeddedObjectStore s3;
  public final EntityHarness harness;
  public final MediaService media;
  public final Map<String, ActorRef<MediaActor.Command>> entities = new ConcurrentHashMap<>();

  /** Under {@code dir}: the bucket's files and the node's data dir. */
  public MediaOnS3(Path dir, String bucket, String key, String secret) throws Exception {
    s3 = EmbeddedObjectStore.start(dir.resolve("s3"), ParleyProcess.freePort(), bucket, key, secret);
    // The connector's defaults, as ParleyConfig sets them for the media endpoint of a node.
    Map<String, Object> overrides = new HashMap<>();
    S3ConnectorSettings.connectorConfig(s3.endpoint(), key, secret, "us-east-1")
        .forEach((name, value) -> overrides.put("pekko.connectors.s3." + name, value));
    overrides.put("parley.s3.bucket", bucket);
    overrides.put("parley.data-dir", dir.resolve("data").toString());
    harness = new EntityHarness(ConfigFactory.parseMap(overrides).root().render());
    media = new MediaService(this::entity, harness, MediaSettings.from(harness.config), Duration.ofSeconds(5),
        harness.testKit.system());
  }

  /** The media id's entity, started on first use. */
  public ActorRef<MediaActor.Command> entity(String mediaId) {
    return entities.computeIfAbsent(mediaId, id -> harness.testKit.spawn(
        MediaActor.create(id, MediaSettings.from(harness.config), harness.clock)));
  }

  @Override
  public void close() throws Exception {
    harness.shutdown();
    s3.close();
  }
}
