package io.parley.storage;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;

/** An S3-compatible server (s3proxy) inside this JVM, storing objects under the data dir. */
public final class EmbeddedObjectStore implements AutoCloseable {
  private final S3Proxy proxy;
  private final int port;

  private EmbeddedObjectStore(S3Proxy proxy, int port) {
    this.proxy = proxy;
    this.port = port;
  }

  public static EmbeddedObjectStore start(
      Path dataDir, int port, String bucket, String accessKey, String secretKey) throws Exception {
    Path dir = Files.createDirectories(dataDir);
    BlobStore blobStore = new FilesystemNio2BlobStore(dir.toAbsolutePath().toString());
    if (!bucketExists(blobStore, bucket)) {
      blobStore.createContainer(CreateBucketRequest.builder().bucket(bucket).build());
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait();
      Thread.sleep(10); // Jetty reports STARTED asynchronously; there is no future to wait on.
    }
    return new EmbeddedObjectStore(proxy, port);
  }

  private static boolean bucketExists(BlobStore blobStore, String bucket) {
    try {
      blobStore.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
      return true;
    } catch (RuntimeException notFound) {
      return false;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
