package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import io.parley.testing.ListeningSockets;
import io.parley.testing.ParleyProcess;
import io.parley.testing.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command as a newcomer types it: the packaged jar, started with {@code java -jar}
 * from an empty working directory, with nothing in the environment but ports moved off their
 * defaults. Also the start-up refusals and the safe defaults of that node.
 */
class FrontDoorIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration START = Duration.ofSeconds(90);
  /** The HS256 secret application.conf shipped before this node made one per data dir. */
  private static final String OLD_PUBLIC_SECRET = "parley-dev-secret-change-me-0123456789abcdef";

  @TempDir Path temp;

  @Test
  void theReadmeCommandStartsFromAnEmptyDirectoryAndKeepsWhatWasStored() throws Exception {
    Path workDir = Files.createDirectory(temp.resolve("fresh"));
    Map<String, String> ports = ParleyProcess.freePorts();
    String content = "hello from a first session";
    try (ReadmeNode node = ReadmeNode.start(workDir, ports)) {
      node.awaitReady();
      String alice = node.devToken("alice");
      HttpResponse<String> sent = node.post(alice, "/v1/messages",
          "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"first\",\"content\":\"" + content + "\"}");
      assertEquals(200, sent.statusCode(), sent.body());
    }
    assertTrue(Files.isDirectory(workDir.resolve("data")), "the default data dir is ./data");

    // Again on the same data, from another working directory, with PARLEY_DATA_DIR relative to it.
    Map<String, String> again = new HashMap<>(ports);
    again.put("PARLEY_DATA_DIR", "fresh/./data");
    try (ReadmeNode node = ReadmeNode.start(temp, again)) {
      node.awaitReady();
      String bob = node.devToken("bob");
      HttpResponse<String> history = node.get(bob, "/v1/conversations/d:alice:bob/messages");
      assertEquals(200, history.statusCode(), history.body());
      assertTrue(history.body().contains(content), history.body());

      // Safe by default: every listener of the node is on loopback only.
      for (String port : List.of("PARLEY_HTTP_PORT", "PARLEY_DYNAMODB_EMBEDDED_PORT", "PARLEY_S3_EMBEDDED_PORT",
          "PARLEY_MANAGEMENT_PORT")) {
        Set<String> addresses = ListeningSockets.addressesOf(Integer.parseInt(again.get(port)));
        assertEquals(Set.of("127.0.0.1"), addresses, port + " listens on " + addresses);
      }

      // A token signed with the secret that used to be public in application.conf is refused.
      String forged = sign(OLD_PUBLIC_SECRET, "{\"sub\":\"bob\",\"exp\":" + inAnHour() + "}");
      assertEquals(401, node.get(forged, "/v1/inbox").statusCode(), "a token of the old public secret");

      // A numeric subject, signed with this node's own secret, is no user: refused on both paths.
      String secret = Files.readString(workDir.resolve("data").resolve("jwt-secret")).trim();
      String numeric = sign(secret, "{\"sub\":12345,\"exp\":" + inAnHour() + "}");
      assertEquals(401, node.get(numeric, "/v1/inbox").statusCode(), "{\"sub\":12345} on GET /v1/inbox");
      assertEquals(200, node.get(sign(secret, "{\"sub\":\"12345\",\"exp\":" + inAnHour() + "}"), "/v1/inbox")
          .statusCode(), "the node's own secret signs for a string subject");
      assertEquals(401, upgradeStatus(node.ws("device_id=phone"), numeric), "{\"sub\":12345} on the upgrade");

      // JSON with text after the object is invalid: a bad_request, not a pong, and no message stored.
      try (WsClient socket = WsClient.connect(node.ws("device_id=phone"), bob)) {
        socket.send("{\"type\":\"ping\",\"req_id\":\"p1\"} trailing");
        JsonNode trailing = socket.await(frame -> frame.path("type").asText().matches("error|pong"));
        assertEquals("bad_request", trailing.path("code").asText(), trailing.toString());
        socket.send("{\"type\":\"ping\"}{\"type\":\"ping\"}");
        JsonNode twice = socket.await(frame -> frame.path("type").asText().matches("error|pong"));
        assertEquals("bad_request", twice.path("code").asText(), twice.toString());
        JsonNode pong = socket.request(WsClient.frame("ping").put("req_id", "p2"));
        assertEquals("pong", pong.path("type").asText(), "a well-formed ping still answered");
      }
      HttpResponse<String> trailingBody = node.post(bob, "/v1/messages",
          "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"t1\",\"content\":\"x\"} trailing");
      assertEquals(400, trailingBody.statusCode(), trailingBody.body());
      assertFalse(node.get(bob, "/v1/conversations/d:alice:bob/messages").body().contains("t1"));
    }
  }

  @Test
  void aNodeThatCannotStartExitsWithOneClearLine() throws Exception {
    Path workDir = Files.createDirectory(temp.resolve("refusals"));

    Map<String, String> blocked = ParleyProcess.freePorts();
    try (ServerSocket taken = new ServerSocket(Integer.parseInt(blocked.get("PARLEY_HTTP_PORT")))) {
      String line = refusal(workDir, blocked);
      assertTrue(line.contains(blocked.get("PARLEY_HTTP_PORT")) && line.contains("PARLEY_HTTP_PORT"), line);
    }

    Map<String, String> unwritable = ParleyProcess.freePorts();
    Path aFile = Files.writeString(workDir.resolve("not-a-dir"), "a file where the data dir should be");
    unwritable.put("PARLEY_DATA_DIR", aFile.resolve("data").toString());
    assertTrue(refusal(workDir, unwritable).contains("PARLEY_DATA_DIR"));

    Map<String, String> publicDevTokens = ParleyProcess.freePorts();
    publicDevTokens.put("PARLEY_HTTP_HOST", "0.0.0.0");
    assertTrue(refusal(workDir, publicDevTokens).contains("insecure-public"));

    Map<String, String> oldStore = ParleyProcess.freePorts();
    Path oldDataDir = Files.createDirectories(workDir.resolve("old-data").resolve("dynamodb"));
    Files.writeString(oldDataDir.resolve("shared-local-instance.db"), "SQLite format 3");
    oldStore.put("PARLEY_DATA_DIR", oldDataDir.getParent().toString());
    String old = refusal(workDir, oldStore);
    assertTrue(old.contains("shared-local-instance.db") && old.contains("PARLEY_DATA_DIR"), old);
    assertFalse(Files.exists(oldDataDir.resolve("parley-store.sqlite")), "nothing written beside it");

    Map<String, String> unguardedWrites = ParleyProcess.freePorts();
    unguardedWrites.put("PARLEY_MANAGEMENT_READ_ONLY", "false");
    assertTrue(refusal(workDir, unguardedWrites).contains("PARLEY_MANAGEMENT_ADMIN_TOKEN"));

    Map<String, String> noNativeSqlite = ParleyProcess.freePorts();
    noNativeSqlite.put("JAVA_TOOL_OPTIONS", "-Dos.arch=riscv64"); // a platform the jar carries no SQLite for
    String platform = refusal(workDir, noNativeSqlite);
    assertTrue(platform.contains("SQLite has no native library") && platform.contains("riscv64"), platform);

    Map<String, String> noSecret = ParleyProcess.freePorts();
    noSecret.put("PARLEY_DEV_TOKENS", "off");
    assertTrue(refusal(workDir, noSecret).contains("PARLEY_JWT_SECRET"));

    // Once taken (a zero heartbeat, a host name no peer address equals) or refused only after the
    // stores had started, in a library's words.
    Map<String, String> wrongSettings = ParleyProcess.freePorts();
    Path untouched = workDir.resolve("wrong-settings-data");
    wrongSettings.put("PARLEY_DATA_DIR", untouched.toString());
    wrongSettings.put("PARLEY_HEARTBEAT", "0s");
    wrongSettings.put("PARLEY_TRUSTED_PROXIES", "proxy.internal");
    wrongSettings.put("PARLEY_RATE_LIMIT_PER_MINUTE", "fifty");
    String wrong = refusal(workDir, wrongSettings);
    assertTrue(wrong.contains("PARLEY_HEARTBEAT (parley.gateway.heartbeat) must be a duration above 0")
        && wrong.contains("PARLEY_TRUSTED_PROXIES") && wrong.contains("PARLEY_RATE_LIMIT_PER_MINUTE"), wrong);
    assertFalse(Files.exists(untouched), "checked before the data dir, the stores or the cluster started");
  }

  @Test
  void aSettingWidensTheEmbeddedStoresWithAWarning() throws Exception {
    Map<String, String> env = ParleyProcess.freePorts();
    env.put("PARLEY_EMBEDDED_STORES_HOST", "0.0.0.0");
    try (ReadmeNode node = ReadmeNode.start(Files.createDirectory(temp.resolve("wide")), env)) {
      node.awaitReady();
      for (String port : List.of("PARLEY_DYNAMODB_EMBEDDED_PORT", "PARLEY_S3_EMBEDDED_PORT")) {
        Set<String> addresses = ListeningSockets.addressesOf(Integer.parseInt(env.get(port)));
        assertTrue(!addresses.isEmpty() && Set.of("0.0.0.0", "0:0:0:0:0:0:0:0").containsAll(addresses),
            port + " on every interface (IPv4, or IPv6 dual-stack): " + addresses);
      }
      assertEquals(Set.of("127.0.0.1"), ListeningSockets.addressesOf(Integer.parseInt(env.get("PARLEY_HTTP_PORT"))),
          "the API stays on loopback while dev tokens are on");
      assertTrue(node.output().contains("WARN") && node.output().contains("The embedded stores listen on 0.0.0.0"),
          node.output());
    }
  }

  /** Starts a node that must refuse: its exit status and the one line it printed about it. */
  private static String refusal(Path workDir, Map<String, String> env) throws Exception {
    try (ReadmeNode node = ReadmeNode.start(workDir, env)) {
      assertTrue(node.process.waitFor(START.toSeconds(), TimeUnit.SECONDS), "still running: " + node.output());
      assertEquals(1, node.process.exitValue(), node.output());
      List<String> lines = node.output().lines().filter(l -> l.startsWith("Parley could not start: ")).toList();
      assertEquals(1, lines.size(), node.output());
      assertTrue(node.output().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + node.output());
      return lines.get(0);
    }
  }

  private static long inAnHour() {
    return Instant.now().plusSeconds(3600).getEpochSecond();
  }

  private static String sign(String secret, String payload) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payload));
    jws.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
    return jws.serialize();
  }

  private static int upgradeStatus(URI uri, String token) {
    try {
      HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
          .buildAsync(uri, new java.net.http.WebSocket.Listener() {}).join().abort();
      return 101;
    } catch (CompletionException failed) {
      if (failed.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw failed;
    }
  }

  /** {@code java -jar <the packaged jar>} in {@code workDir}, with no PARLEY_ setting but {@code env}. */
  static final class ReadmeNode implements AutoCloseable {
    final Process process;
    private final Map<String, String> env;
    private final StringBuffer output = new StringBuffer();

    private ReadmeNode(Process process, Map<String, String> env) {
      this.process = process;
      this.env = env;
      Thread pump = new Thread(() -> {
        try (var out = process.inputReader(StandardCharsets.UTF_8)) {
          out.lines().forEach(line -> output.append(line).append('\n'));
        } catch (IOException | java.io.UncheckedIOException ended) {
          // the process is gone
        }
      }, "readme-node-output");
      pump.setDaemon(true);
      pump.start();
    }

    static ReadmeNode start(Path workDir, Map<String, String> env) throws IOException {
      return run(workDir, env, List.of(ParleyProcess.java().toString(), "-jar", ParleyProcess.jar().toString()));
    }

    /** {@code command} in {@code workDir}, with no PARLEY_ or JVM setting in its environment but {@code env}. */
    static ReadmeNode run(Path workDir, Map<String, String> env, List<String> command) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(name -> name.startsWith("PARLEY_") || name.startsWith("JAVA_")
          || name.startsWith("JDK_"));
      builder.environment().putAll(env);
      return new ReadmeNode(builder.start(), env);
    }

    void awaitReady() throws InterruptedException {
      long deadline = System.nanoTime() + START.toNanos();
      while (!output.toString().contains("Parley is ready")) {
        if (!process.isAlive()) {
          throw new AssertionError("the node exited with " + process.exitValue() + ":\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not ready within " + START + ":\n" + output());
        }
        Thread.sleep(50);
      }
      assertTrue(output.toString().contains("ws://localhost:" + env.get("PARLEY_HTTP_PORT") + "/v1/ws"), output());
    }

    String output() {
      return output.toString();
    }

    URI http(String path) {
      return URI.create("http://127.0.0.1:" + env.get("PARLEY_HTTP_PORT") + path);
    }

    URI ws(String query) {
      return URI.create("ws://127.0.0.1:" + env.get("PARLEY_HTTP_PORT") + "/v1/ws?" + query);
    }

    String devToken(String user) throws Exception {
      HttpResponse<String> reply = post(null, "/v1/dev/token", "{\"user_id\":\"" + user + "\"}");
      assertEquals(200, reply.statusCode(), reply.body());
      return JSON.readTree(reply.body()).get("token").asText();
    }

    HttpResponse<String> get(String token, String path) throws Exception {
      return HTTP.send(request(token, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String token, String path, String body) throws Exception {
      return HTTP.send(request(token, path).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String token, String path) {
      HttpRequest.Builder request = HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(20));
      return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** SIGTERM, as a newcomer's Ctrl-C, and wait for the exit. */
    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
