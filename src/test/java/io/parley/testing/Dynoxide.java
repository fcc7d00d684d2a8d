package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dynoxide, an independent DynamoDB emulator (a static Rust binary, backed by SQLite), in a child
 * process on a free 127.0.0.1 port: the reference the store's conformance suite is checked
 * against, and an external store for Parley's end-to-end tests.
 *
 * <p>It comes from npm as {@code @dynoxide/linux-x64}, pinned to {@value #VERSION}. Its licence,
 * per the package's {@code package.json}, is "(MIT OR Apache-2.0)": permissive, and it is only
 * run beside the tests, never shipped. The package holds the binary and nothing else (no README);
 * {@code dynoxide serve --help} documents {@code --host}, {@code --port} and {@code --db-path}
 * (omitted: in memory). It prints the port it was given, not the one it bound, so the port is
 * chosen here.
 *
 * <p>It is installed once with {@code npm install --prefix} into {@link #installDir()}
 * ({@code ~/.cache/parley-dynoxide/1.2.1}, or {@code PARLEY_DYNOXIDE_HOME}); {@code .ci/run}
 * installs it there before the tests, so a test run needs no network.
 */
public final class Dynoxide implements AutoCloseable {
  public static final String PACKAGE = "@dynoxide/linux-x64";
  public static final String VERSION = "1.2.1";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final int START_ATTEMPTS = 3;

  private final Process process;
  private final int port;
  private final Path log;
  /** Stops the child if the JVM exits without close() (a test run that fails or ends early), leaving no orphan. */
  private final Thread stopAtExit;

  private Dynoxide(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.stopAtExit = new Thread(process::destroyForcibly, "dynoxide-stop-at-exit");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** An in-memory dynoxide: its tables go with the process. */
  public static Dynoxide start() {
    return start(null);
  }

  /** A dynoxide keeping its tables in the SQLite file {@code dbFile} (null: in memory). */
  public static synchronized Dynoxide start(Path dbFile) {
    Path binary = binary();
    IllegalStateException last = null;
    // The port is found by binding and releasing it, so another process may take it first. Taking it
    // from ParleyProcess keeps it apart from the ports of the nodes a test starts beside it.
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        return launch(binary, ParleyProcess.freePort(), dbFile);
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The endpoint for an SDK client or {@code PARLEY_DYNAMODB_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException exiting) {
      // the JVM is exiting: the hook runs anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a temp file left behind
    }
  }

  /** Where the package is installed. */
  public static Path installDir() {
    String home = System.getenv("PARLEY_DYNOXIDE_HOME");
    return home != null && !home.isBlank()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".cache", "parley-dynoxide", VERSION);
  }

  /** The binary, installed first if it is not there yet. */
  public static synchronized Path binary() {
    Path binary = installDir().resolve("node_modules").resolve(PACKAGE).resolve("dynoxide");
    if (!Files.isExecutable(binary)) {
      install(installDir());
    }
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("npm installed " + PACKAGE + "@" + VERSION + " into " + installDir()
          + " but there is no executable " + binary + " (is this linux-x64?)");
    }
    return binary;
  }

  private static void install(Path dir) {
    List<String> command = List.of("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
        "--save-exact", PACKAGE + "@" + VERSION);
    try {
      Files.createDirectories(dir);
      Path output = Files.createTempFile("dynoxide-npm", ".log");
      Process npm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        npm.destroyForcibly();
        throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within "
            + INSTALL_TIMEOUT + ": " + Files.readString(output));
      }
      if (npm.exitValue() != 0) {
        throw new IllegalStateException("`" + String.join(" ", command) + "` failed with exit code "
            + npm.exitValue() + ": " + Files.readString(output));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run npm to install " + PACKAGE + "@" + VERSION
          + " (dynoxide, needed by the DynamoDB conformance tests); install Node.js/npm or run .ci/run: "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing dynoxide", e);
    }
  }

  private static Dynoxide launch(Path binary, int port, Path dbFile) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "serve", "--host", "127.0.0.1",
        "--port", Integer.toString(port)));
    if (dbFile != null) {
      command.addAll(List.of("--db-path", dbFile.toString()));
    }
    Process process;
    Path log;
    try {
      log = Files.createTempFile("dynoxide-" + port, ".log");
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    Dynoxide dynoxide = new Dynoxide(process, port, log);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!dynoxide.answers()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String failure = "dynoxide did not answer on " + dynoxide.endpoint() + " within " + START_TIMEOUT
            + " (exit " + (process.isAlive() ? "none" : process.exitValue()) + "): " + dynoxide.output();
        dynoxide.close();
        throw new IllegalStateException(failure);
      }
      pause();
    }
    return dynoxide;
  }

  /**
   * Whether the pinned dynoxide answers a DynamoDB request on the port. An unsigned request is
   * enough: it is refused (MissingAuthenticationTokenException), by a server that names its version.
   */
  private boolean answers() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint()))
        .version(HttpClient.Version.HTTP_1_1)
        .timeout(Duration.ofSeconds(2))
        .header("Content-Type", "application/x-amz-json-1.0")
        .header("X-Amz-Target", "DynamoDB_20120810.ListTables")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
    try {
      HttpResponse<String> response = HttpClient.newHttpClient()
          .send(request, HttpResponse.BodyHandlers.ofString());
      return response.headers().firstValue("x-dynoxide-version").filter(VERSION::equals).isPresent();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
