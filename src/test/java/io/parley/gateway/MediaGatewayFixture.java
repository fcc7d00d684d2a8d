package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.cluster.Outcome;
import io.parley.media.MediaActor;
import io.parley.media.MediaService;
import io.parley.storage.EmbeddedObjectStore;
import io.parley.testing.EntityHarness;
import io.parley.testing.MediaOnS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway's media tests share: a real MediaService, its media stored in a real S3
 * (s3proxy in this JVM) and recorded by real MediaActors, and {@code /v1/media/{id}} over it.
 */
abstract class MediaGatewayFixture {
  static final String BUCKET = "parley-media";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final byte[] CONTENT = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);

  @TempDir Path temp;
  EmbeddedObjectStore s3;
  EntityHarness harness;
  MediaService media;
  MediaFetches fetches;
  Map<String, ActorRef<MediaActor.Command>> entities;
  MediaOnS3 stack;

  @BeforeEach
  void setUp() throws Exception {
    stack = new MediaOnS3(temp, BUCKET, "mediakey", "mediasecret");
    s3 = stack.s3;
    harness = stack.harness;
    media = stack.media;
    entities = stack.entities;
    fetches = new MediaFetches(media);
  }

  @AfterEach
  void tearDown() throws Exception {
    stack.close();
  }

  String upload(String uploaderId) throws Exception {
    Outcome<MediaService.Stored> stored = media.upload(uploaderId, ContentTypes.APPLICATION_OCTET_STREAM,
            OptionalLong.of(CONTENT.length), false, Source.single(ByteString.fromArray(CONTENT)))
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertTrue(stored.isOk(), stored.toString());
    return stored.value().mediaId();
  }

  HttpResponse fetch(String userId, String mediaId, HttpHeader... headers) throws Exception {
    return fetch(userId, mediaId, HttpRequest.GET("/v1/media/" + mediaId), headers);
  }

  HttpResponse fetch(String userId, String mediaId, HttpRequest request, HttpHeader... headers) throws Exception {
    for (HttpHeader header : headers) {
      request = request.addHeader(header);
    }
    return fetches.route(userId, mediaId).handler(harness.testKit.system()).apply(request)
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  String body(HttpResponse response) throws Exception {
    return response.entity().toStrict(WAIT.toMillis(), harness.testKit.system()).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS).getData().utf8String();
  }

  static Optional<String> header(HttpResponse response, String name) {
    return response.getHeader(name).map(HttpHeader::value);
  }
}
