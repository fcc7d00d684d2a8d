package io.parley.media;

import com.typesafe.config.Config;
import java.time.Duration;

/** Media limits, from {@code parley.media}, and the bucket objects go to. */
public record MediaSettings(
    long maxBytes,
    int maxConcurrentUploads,
    int maxUploadsPerUser,
    Duration uploadGrace,
    long minUploadRate,
    int maxConversations,
    Duration passivateAfterIdle,
    int snapshotEvery,
    String bucket) {

  public static MediaSettings from(Config config) {
    Config c = config.getConfig("parley.media");
    return new MediaSettings(
        c.getBytes("max-bytes"),
        c.getInt("max-concurrent-uploads"),
        c.getInt("max-uploads-per-user"),
        c.getDuration("upload-grace"),
        c.getBytes("min-upload-rate"),
        c.getInt("max-conversations"),
        c.getDuration("passivate-after-idle"),
        c.getInt("snapshot-every"),
        config.getString("parley.s3.bucket"));
  }
}
