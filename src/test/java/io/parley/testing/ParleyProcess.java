package io.parley.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Parley node running the real fat jar in its own JVM, with its own ports and data dir, so a
 * test can kill it with SIGKILL and start it again on the same data.
 */
public final class ParleyProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /**
   * With {@code PARLEY_IT_DYNAMODB=dynoxide}, each node a test starts without an external DynamoDB of
   * its own gets a dynoxide of its own instead of the embedded store (issue 40, point 7). It lives
   * as long as this object, across kills and restarts of the node. Tests that reach into the
   * embedded store's port (StoredContent, ErasureCrashIT) need the embedded store.
   */
  static final String EXTERNAL_DYNAMODB = "PARLEY_IT_DYNAMODB";

  public final int httpPort;
  public final int managementPort;
  /** The embedded S3 (s3proxy) of this node, for tests that look into the bucket. */
  public final int s3Port;
  public final Path dataDir;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final Path logFile;
  /** The node's external DynamoDB when the ITs run on dynoxide ({@link #EXTERNAL_DYNAMODB}), else null. */
  private final Dynoxide dynoxide;
  private Process process;
  /** Copies the node's output into its log, to the end of the output. */
  private Thread pump;

  private ParleyProcess(Path dataDir, Map<String, String> extraEnv, List<String> jvmOptions) {
    this.dataDir = dataDir;
    this.httpPort = freePort();
    this.managementPort = freePort();
    this.s3Port = freePort();
    this.jvmOptions = List.copyOf(jvmOptions);
    this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    this.env = new HashMap<>();
    env.put("PARLEY_DATA_DIR", dataDir.toString());
    env.put("PARLEY_HTTP_PORT", Integer.toString(httpPort));
    env.put("PARLEY_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("PARLEY_CLUSTER_PORT", Integer.toString(freePort()));
    env.put("PARLEY_DYNAMODB_EMBEDDED_PORT", Integer.toString(freePort()));
    env.put("PARLEY_S3_EMBEDDED_PORT", Integer.toString(s3Port));
    // An erasure waits out every node's key cache before the key goes (10 s by default); the
    // tests of that wait set their own, the others need not spend it.
    env.put("PARLEY_PRIVACY_KEY_CACHE_TTL", "2s");
    env.putAll(extraEnv);
    this.dynoxide = onDynoxide() ? Dynoxide.start() : null;
    if (dynoxide != null) {
      env.put("PARLEY_DYNAMODB_EMBEDDED", "off");
      env.put("PARLEY_DYNAMODB_ENDPOINT", dynoxide.endpoint());
    }
  }

  private boolean onDynoxide() {
    return "dynoxide".equals(System.getenv(EXTERNAL_DYNAMODB)) && !env.containsKey("PARLEY_DYNAMODB_ENDPOINT");
  }

  /** Starts a node on a fresh data dir under {@code parent}. */
  public static ParleyProcess start(Path parent, Map<String, String> extraEnv) {
    return start(parent, extraEnv, List.of());
  }

  /** As {@link #start(Path, Map)}, with JVM options (a later {@code -Xmx} replaces the default). */
  public static ParleyProcess start(Path parent, Map<String, String> extraEnv, List<String> jvmOptions) {
    try {
      ParleyProcess node = new ParleyProcess(Files.createTempDirectory(parent, "node"), extraEnv, jvmOptions);
      node.launch();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ParleyProcess start(Path parent) {
    return start(parent, Map.of());
  }

  /** An environment variable of the next {@link #launch()}; null removes it. */
  public void setEnv(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
  }

  public String env(String name) {
    return env.get(name);
  }

  /** Starts (again) on the same data dir and ports and waits until it is ready. */
  public void launch() {
    // C1 only: a test node lives a minute or two, far less than C2 needs to pay back its
    // compiling, which on two cores took CPU from the other nodes and the test itself.
    List<String> flags = List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-Daws.java.v1.disableDeprecationAnnouncement=true");
    List<String> command = new ArrayList<>(List.of(java().toString()));
    command.addAll(flags);
    command.addAll(NodeClassArchive.options(java(), flags, jar()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CountDownLatch ready = new CountDownLatch(1);
    pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          Files.writeString(logFile, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          if (line.startsWith("Parley is ready")) {
            ready.countDown();
          }
        }
      } catch (IOException ignored) {
        // The process died; the waiting side notices.
      }
    }, "parley-output-" + httpPort);
    pump.setDaemon(true);
    pump.start();
    // A node that exits is not waited for, and one that never gets ready is not left running to
    // hold its ports and the machine's cores through the rest of the run.
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try {
      while (!ready.await(100, TimeUnit.MILLISECONDS)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String why = process.isAlive() ? "did not become ready within " + START_TIMEOUT.toSeconds() + " s"
              : "exited with status " + process.exitValue() + " before it was ready";
          process.destroyForcibly();
          throw new IllegalStateException("Parley " + why + "; see " + logFile);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGTERM, as Kubernetes sends it, and wait until the process has exited and its log holds all it printed. */
  public void terminate() {
    sigterm();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("Parley did not stop within 60 s of SIGTERM; see " + logFile);
      }
      pump.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGTERM without waiting. Unlike {@link Process#destroy()}, which also closes this side of the
   * node's output, it leaves the output read to the end, so the log holds the node's shutdown.
   */
  public void sigterm() {
    process.toHandle().destroy();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Waits for the process to exit on its own; false if it is still running after {@code timeout}. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * SIGSTOP: the process takes nothing from its sockets until {@link #resume()}; the OS still
   * completes handshakes into the accept queue.
   */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      int status = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + name + " exited with " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: no shutdown hooks, no flushing. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Everything the node printed (its log). */
  public Path logFile() {
    return logFile;
  }

  /**
   * The last warnings and errors the node logged, for a failing test's message: the log itself
   * is deleted with the test's temporary directory, and CI shows only the test output.
   */
  public String recentWarnings() {
    try {
      List<String> warnings = Files.readAllLines(logFile).stream()
          .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("\"level\":\"WARN")
              || line.contains("\"level\":\"ERROR"))
          .toList();
      return String.join("\n", warnings.subList(Math.max(0, warnings.size() - RECENT_WARNINGS), warnings.size()));
    } catch (IOException unreadable) {
      return "(log unreadable: " + unreadable + ")";
    }
  }

  private static final int RECENT_WARNINGS = 40;

  /** The last {@code count} lines the node printed, for a failing test whose cause no warning shows. */
  public String recentLines(int count) {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } catch (IOException unreadable) {
      return "(log unreadable: " + unreadable + ")";
    }
  }

  public URI http(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  public URI ws(String query) {
    return URI.create("ws://127.0.0.1:" + httpPort + "/v1/ws?" + query);
  }

  public int managementStatus(String path) throws IOException, InterruptedException {
    return management(path).statusCode();
  }

  /** The body of a GET on the management port. */
  public String managementBody(String path) throws IOException, InterruptedException {
    return management(path).body();
  }

  /** The status of a form PUT on the management port, with the admin token if the node has one. */
  public int managementPut(String path, String form) throws IOException, InterruptedException {
    return managementPut(path, form, env.get("PARLEY_MANAGEMENT_ADMIN_TOKEN"));
  }

  /** The status of a form PUT on the management port with {@code adminToken} (none if null). */
  public int managementPut(String path, String form, String adminToken) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .PUT(HttpRequest.BodyPublishers.ofString(form));
    if (adminToken != null) {
      request.header("Authorization", "Bearer " + adminToken);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** A DELETE on the management port (an operator's write route), with the admin token if the node has one. */
  public HttpResponse<String> managementDelete(String path) throws IOException, InterruptedException {
    return managementDelete(path, env.get("PARLEY_MANAGEMENT_ADMIN_TOKEN"));
  }

  /** A DELETE on the management port with {@code adminToken} (none if null). */
  public HttpResponse<String> managementDelete(String path, String adminToken) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).DELETE();
    if (adminToken != null) {
      request.header("Authorization", "Bearer " + adminToken);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> management(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (dynoxide != null) {
      dynoxide.close();
    }
  }

  /** Ports handed out in this JVM: a node's several ports, and other nodes', never coincide. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Every listener's port setting of a node (the PARLEY_*_PORT variables), each on a free port; the map may be added to. */
  public static Map<String, String> freePorts() {
    Map<String, String> env = new HashMap<>();
    for (String name : List.of("PARLEY_HTTP_PORT", "PARLEY_MANAGEMENT_PORT", "PARLEY_CLUSTER_PORT",
        "PARLEY_DYNAMODB_EMBEDDED_PORT", "PARLEY_S3_EMBEDDED_PORT")) {
      env.put(name, Integer.toString(freePort()));
    }
    return env;
  }

  /** The packaged jar the nodes run ({@code -Dparley.jar}, else target/parley.jar). */
  public static Path jar() {
    return Path.of(System.getProperty("parley.jar", "target/parley.jar")).toAbsolutePath();
  }

  /** The JVM the tests run on, which starts the nodes too. */
  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /**
   * A port free now, below Linux's ephemeral range (32768 and up): a port from that range can be
   * taken, between this check and the node's bind, as the source port of any process's outgoing
   * connection, and the node's listener then fails to bind or another socket answers in its place.
   * Each of the build's test JVMs (its forks) hands out ports of its own part of the range, since
   * another JVM's port may be handed out and not yet bound.
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(PORTS_FROM, PORTS_FROM + PORTS_PER_FORK);
      if (!HANDED_OUT.contains(port) && bindable(port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port found between " + PORTS_FROM + " and " + (PORTS_FROM + PORTS_PER_FORK));
  }

  /** The pom's forkCount, for unit tests and ITs alike. */
  static final int FORKS = 2;
  static final int PORTS_PER_FORK = 12_000 / FORKS;
  /** {@code parley.test.fork}: 1 or 2, set by the pom from the fork's number (1 when run otherwise). */
  static final int PORTS_FROM = 20_000 + PORTS_PER_FORK * Math.floorMod(Integer.getInteger("parley.test.fork", 1) - 1, FORKS);

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }
}
