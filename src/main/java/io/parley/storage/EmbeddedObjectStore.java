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
  private final String endpoint;

  private EmbeddedObjectStore(S3Proxy proxy, String endpoint) {
    this.proxy = proxy;
    this.endpoint = endpoint;
  }

  /** s3proxy on 127.0.0.1. */
  public static EmbeddedObjectStore start(
      Path dataDir, int port, String bucket, String accessKey, String secretKey) throws Exception {
    return start(dataDir, "127.0.0.1", port, bucket, accessKey, secretKey);
  }

  /** s3proxy listening on {@code host} (an interface's address; it binds to the endpoint's host). */
  public static EmbeddedObjectStore start(
      Path dataDir, String host, int port, String bucket, String accessKey, String secretKey) throws Exception {
    Path dir = Files.createDirectories(dataDir);
    BlobStore blobStore = new FilesystemNio2BlobStore(dir.toAbsolutePath().toString());
    if (!bucketExists(blobStore, bucket)) {
      blobStore.createContainer(CreateBucketRequest.builder().bucket(bucket).build());
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://" + host + ":" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait();
      Thread.sleep(10); // Jetty reports STARTED asynchronously; there is no future to wait on.
    }
    String reachable = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return new EmbeddedObjectStore(proxy, "http://" + reachable + ":" + port);
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
    return endpoint;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
