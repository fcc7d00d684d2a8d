package io.parley.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A class-data archive of what a test node's start loads, made once per jar and JVM by a start
 * that stops when ready ({@code PARLEY_EXIT_WHEN_READY}, as the Dockerfile makes the image's), so
 * that the suite's many node starts map those classes instead of loading them from the jar again
 * (docs/testing.md). A node starts without it, only slower, when it could not be made; and a JVM
 * that cannot use it starts without it too.
 */
final class NodeClassArchive {
  private static final long MAKE_SECONDS = 180;
  /** Made (or found) in this JVM; empty once making it failed. */
  private static Optional<Path> archive;

  private NodeClassArchive() {}

  /** The JVM options that start a node of {@code jar} on the archive, making it first if needed. */
  static synchronized List<String> options(Path java, List<String> flags, Path jar) {
    if (archive == null) {
      archive = made(java, flags, jar);
    }
    return archive.map(path -> List.of("-XX:SharedArchiveFile=" + path)).orElse(List.of());
  }

  private static Optional<Path> made(Path java, List<String> flags, Path jar) {
    try {
      String key = Integer.toHexString(List.of(java.toString(), flags, jar.toString(), Files.size(jar),
          Files.getLastModifiedTime(jar).toMillis()).hashCode());
      Path path = jar.resolveSibling("parley-test-nodes-" + key + ".jsa");
      // Two test JVMs (failsafe's executions, forks) make it once between them.
      try (FileChannel lockFile = FileChannel.open(jar.resolveSibling("parley-test-nodes.lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (!Files.exists(path)) {
          deleteOthers(path); // of earlier jars: about 100 MB each
          make(java, flags, jar, path);
        }
      }
      return Optional.of(path);
    } catch (IOException | RuntimeException | InterruptedException failed) {
      if (failed instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      System.err.println("Test nodes start without a class-data archive: " + failed);
      return Optional.empty();
    }
  }

  private static void make(Path java, List<String> flags, Path jar, Path path) throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("parley-class-archive");
    Path partial = path.resolveSibling(path.getFileName() + ".partial");
    Path output = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    List<String> command = new ArrayList<>(List.of(java.toString()));
    command.addAll(flags);
    command.addAll(List.of("-XX:ArchiveClassesAtExit=" + partial, "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().putAll(ParleyProcess.freePorts());
    builder.environment().putAll(Map.of("PARLEY_EXIT_WHEN_READY", "on", "PARLEY_DATA_DIR", dataDir.resolve("data").toString()));
    Process start = builder.start();
    try {
      if (!start.waitFor(MAKE_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the start that makes it did not stop within " + MAKE_SECONDS + " s; see "
            + output);
      }
      if (start.exitValue() != 0 || !Files.exists(partial)) {
        throw new IllegalStateException("the start that makes it exited with " + start.exitValue() + "; see " + output);
      }
      Files.move(partial, path, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(dataDir);
      Files.delete(output);
    } finally {
      start.destroyForcibly();
      Files.deleteIfExists(partial);
    }
  }

  private static void deleteOthers(Path archive) throws IOException {
    try (var others = Files.newDirectoryStream(archive.getParent(), "parley-test-nodes-*.jsa")) {
      for (Path other : others) {
        Files.deleteIfExists(other);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
