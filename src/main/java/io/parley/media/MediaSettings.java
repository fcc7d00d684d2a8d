package io.parley.media;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Media limits, from {@code parley.media}, the bucket objects go to, and the directory uploads are
 * kept in while they arrive ({@code uploads} in the data dir).
 */
public record MediaSettings(
    long maxBytes,
    int maxConcurrentUploads,
    int maxStoringUploads,
    long diskReserve,
    int maxUploadsPerUser,
    int maxConcurrentDownloads,
    int maxDownloadsPerUser,
    Duration uploadGrace,
    long minUploadRate,
    int maxConversations,
    Duration passivateAfterIdle,
    int snapshotEvery,
    String bucket,
    Path uploadDir) {

  public static MediaSettings from(Config config) {
    Config c = config.getConfig("parley.media");
    return new MediaSettings(
        c.getBytes("max-bytes"),
        c.getInt("max-concurrent-uploads"),
        c.getInt("max-storing-uploads"),
        c.getBytes("disk-reserve"),
        c.getInt("max-uploads-per-user"),
        c.getInt("max-concurrent-downloads"),
        c.getInt("max-downloads-per-user"),
        c.getDuration("upload-grace"),
        c.getBytes("min-upload-rate"),
        c.getInt("max-conversations"),
        c.getDuration("passivate-after-idle"),
        c.getInt("snapshot-every"),
        config.getString("parley.s3.bucket"),
        Path.of(config.getString("parley.data-dir")).resolve("uploads"));
  }
}
