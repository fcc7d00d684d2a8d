package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.FrontDoorIT.ReadmeNode;
import io.parley.testing.ParleyProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's two commands, run here as the image build and the image run them (CI has no
 * Docker engine): the build's start of the node, which must stop by itself once ready and leave a
 * class-data archive, and the entry point, which must start on that archive and serve. The entry
 * point runs with {@code -Xshare:on}, which makes an archive the JVM cannot use fail the start
 * instead of being skipped.
 */
class ContainerImageIT {
  private static final long START_SECONDS = 120;
  /** Paths inside the image, and where this test puts them. */
  private static final String IMAGE_JAR = "/app/parley.jar";
  private static final String IMAGE_ARCHIVE = "/app/parley.jsa";
  private static final String IMAGE_TRAINING_DIR = "/tmp/parley-training";

  @TempDir Path temp;

  @Test
  void theImageBuildLeavesAClassArchiveThatItsEntryPointStartsOn() throws Exception {
    List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));
    Path archive = temp.resolve("parley.jsa");
    Path trainingDir = temp.resolve("training");
    Map<String, String> inImage = Map.of(IMAGE_JAR, ParleyProcess.jar().toString(), IMAGE_ARCHIVE, archive.toString(),
        IMAGE_TRAINING_DIR, trainingDir.toString());
    Path workDir = Files.createDirectory(temp.resolve("app"));

    String build = here(instruction(dockerfile, "RUN", "-XX:ArchiveClassesAtExit="), inImage);
    Map<String, String> buildEnv = ParleyProcess.freePorts();
    buildEnv.put("PATH", ParleyProcess.java().getParent() + ":" + System.getenv("PATH"));
    try (ReadmeNode training = ReadmeNode.run(workDir, buildEnv, List.of("sh", "-c", build))) {
      assertTrue(training.process.waitFor(START_SECONDS, TimeUnit.SECONDS), "still running: " + training.output());
      assertEquals(0, training.process.exitValue(), training.output());
      assertTrue(training.output().contains("Parley is ready") && training.output().contains("PARLEY_EXIT_WHEN_READY"),
          training.output());
    }
    assertTrue(Files.size(archive) > 1_000_000, "an archive of the classes a start loads: " + Files.size(archive));
    assertFalse(Files.exists(trainingDir), "the build keeps no data of its start");

    List<String> entryPoint = new ArrayList<>();
    for (String part : new ObjectMapper().readValue(instruction(dockerfile, "ENTRYPOINT", ""),
        new TypeReference<List<String>>() {})) {
      entryPoint.add(here(part, inImage));
    }
    assertEquals("java", entryPoint.get(0));
    entryPoint.set(0, ParleyProcess.java().toString());
    entryPoint.add(1, "-Xshare:on");
    assertTrue(entryPoint.contains("-XX:SharedArchiveFile=" + archive), entryPoint.toString());
    try (ReadmeNode node = ReadmeNode.run(workDir, ParleyProcess.freePorts(), entryPoint)) {
      node.awaitReady();
      String alice = node.devToken("alice");
      HttpResponse<String> sent = node.post(alice, "/v1/messages",
          "{\"conversation_id\":\"d:alice:bob\",\"client_msg_id\":\"c1\",\"content\":\"started on the archive\"}");
      assertEquals(200, sent.statusCode(), sent.body());
      HttpResponse<String> history = node.get(node.devToken("bob"), "/v1/conversations/d:alice:bob/messages");
      assertTrue(history.body().contains("started on the archive"), history.body());
    }
  }

  /**
   * The image runs as a user of its own, in /app, which that user may not write: the default data
   * dir (./data) must be made for it, or every start of the image is refused. Without a Docker
   * engine the ownership itself is not exercised here, only that the Dockerfile gives it.
   */
  @Test
  void theImageUserOwnsTheDefaultDataDir() throws Exception {
    List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));
    assertEquals("/app", instruction(dockerfile, "WORKDIR", ""));
    String user = instruction(dockerfile, "USER", "");
    String dataDir = instruction(dockerfile, "RUN", "/app/data");
    assertTrue(dataDir.matches("mkdir /app/data && chown " + user + "(:" + user + ")? /app/data"), dataDir);
    assertTrue(dockerfile.indexOf("RUN " + dataDir) < dockerfile.indexOf("USER " + user), "made before USER");
  }

  /** The text after {@code keyword} on the one line of the Dockerfile with that keyword and {@code holding}. */
  private static String instruction(List<String> dockerfile, String keyword, String holding) {
    List<String> lines = dockerfile.stream()
        .filter(line -> line.startsWith(keyword + " ") && line.contains(holding)).toList();
    assertEquals(1, lines.size(), "one " + keyword + " with " + holding + " in the Dockerfile: " + lines);
    return lines.get(0).substring(keyword.length() + 1).trim();
  }

  private static String here(String text, Map<String, String> inImage) {
    String result = text;
    for (Map.Entry<String, String> path : inImage.entrySet()) {
      result = result.replace(path.getKey(), path.getValue());
    }
    return result;
  }
}
