package io.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.testing.TestS3;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What {@code /v1/media/{id}} answers over HTTP (statuses, headers, bodies), with the media stored
 * in a real S3 (s3proxy in this JVM) and recorded by real MediaActors.
 */
class MediaFetchesTest extends MediaGatewayFixture {
  @Test
  void aRangeWithNoneOfTheBytesIs416WithTheSizeAndAnErrorBody() throws Exception {
    String mediaId = upload("alice");
    HttpResponse refused = fetch("alice", mediaId, RawHeader.create("Range", "bytes=20-"));
    assertEquals(416, refused.status().intValue());
    assertEquals(Optional.of("bytes */20"), header(refused, "Content-Range"));
    JsonNode error = new ObjectMapper().readTree(body(refused));
    assertEquals("range_not_satisfiable", error.path("code").asText());
    assertEquals("bytes=20- asks for none of the 20 bytes of this media", error.path("message").asText());
  }

  /**
   * Media never changes under its id: every answer carries a strong ETag, a Range is honoured
   * under an If-Range of that ETag and ignored (the whole file, 200) under any other validator,
   * and an If-None-Match of it is 304 for whoever may see the media.
   */
  @Test
  void anIfRangeOtherThanTheMediasETagGetsTheWholeFile() throws Exception {
    String mediaId = upload("alice");
    HttpResponse whole = fetch("alice", mediaId);
    assertEquals(200, whole.status().intValue());
    String etag = header(whole, "ETag").orElseThrow(() -> new AssertionError("no ETag"));
    assertEquals("\"" + mediaId + "\"", etag);
    body(whole);

    HttpResponse part = fetch("alice", mediaId, RawHeader.create("Range", "bytes=2-4"),
        RawHeader.create("If-Range", etag));
    assertEquals(206, part.status().intValue());
    assertEquals("234", body(part));

    for (String other : new String[] {"Wed, 21 Oct 2015 07:28:00 GMT", "\"another\"", "W/" + etag}) {
      HttpResponse ignored = fetch("alice", mediaId, RawHeader.create("Range", "bytes=2-4"),
          RawHeader.create("If-Range", other));
      assertEquals(200, ignored.status().intValue(), other);
      assertEquals(new String(CONTENT, StandardCharsets.UTF_8), body(ignored), other);
    }
  }

  @Test
  void anIfNoneMatchOfTheMediasETagIsNotModifiedForWhoeverMaySeeIt() throws Exception {
    String mediaId = upload("alice");
    String etag = "\"" + mediaId + "\"";
    HttpResponse unchanged = fetch("alice", mediaId, RawHeader.create("If-None-Match", "\"x\", " + etag));
    assertEquals(304, unchanged.status().intValue());
    assertEquals(Optional.of(etag), header(unchanged, "ETag"));
    assertEquals("", body(unchanged));
    assertEquals(404, fetch("bob", mediaId, RawHeader.create("If-None-Match", etag)).status().intValue(),
        "bob may not see it");
    HttpResponse changed = fetch("alice", mediaId, RawHeader.create("If-None-Match", "\"x\""));
    assertEquals(200, changed.status().intValue());
    assertEquals(new String(CONTENT, StandardCharsets.UTF_8), body(changed));
  }

  /** S3 tells a missing bucket from a missing key in a GET's body alone; a HEAD must not answer 404 for it. */
  @Test
  void aHeadOnABrokenStoreAnswersAsTheGetDoes() throws Exception {
    String mediaId = upload("alice");
    try (S3Client bucket = TestS3.client(s3.endpoint(), "mediakey", "mediasecret")) {
      bucket.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()
          .forEach(object -> bucket.deleteObject(b -> b.bucket(BUCKET).key(object.key())));
      bucket.deleteBucket(b -> b.bucket(BUCKET));
    }
    HttpResponse got = fetch("alice", mediaId);
    assertEquals(503, got.status().intValue(), body(got));
    HttpResponse head = fetch("alice", mediaId, HttpRequest.HEAD("/v1/media/" + mediaId));
    assertEquals(503, head.status().intValue(), "HEAD as GET");
    HttpResponse unsatisfiable = fetch("alice", mediaId, RawHeader.create("Range", "bytes=20-"));
    assertEquals(503, unsatisfiable.status().intValue(), "a range past the end, as GET");
  }

}
