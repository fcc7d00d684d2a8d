package io.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ name files, headings and classes of this repository: each must exist in the
 * current tree, so that a rename or a move that forgets the docs fails here. What counts as naming
 * a class of Parley's, outside fenced code:
 *
 * <ul>
 *   <li>a backticked {@code UpperCamelCase} word (two humps or more, {@code .java} allowed): it must
 *       be declared somewhere under {@code src/}, as a file of its own or as a nested type, unless
 *       it is one of the library or API names in {@link #NAMED_ELSEWHERE};
 *   <li>a backticked {@code package/Name}: {@code src/main/java/io/parley/package/Name.java};
 *   <li>a backticked {@code io.parley.package.Name}: the file of that name.
 * </ul>
 *
 * In fenced blocks without a language (the message path drawn as text) every {@code UpperCamelCase}
 * word is held to the first rule. Backticked {@code src/…} and {@code k8s/…} paths must exist.
 */
class DocsTest {
  static final int README_MAX_LINES = 260;
  static final List<String> README_COMMANDS =
      List.of("mvn -B -q package -DskipTests && java -jar target/parley.jar", "mvn -B verify");

  /** UpperCamelCase names the docs use that are not Parley's: libraries, DynamoDB and APNs terms. */
  static final Set<String> NAMED_ELSEWHERE = Set.of(
      // DynamoDB's API: request parameters, types and errors the store and the suite name
      "AmazonDynamoDB", "AmazonDynamoDBAsync", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter", "ConditionalOperator",
      "ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure", "AttributesToGet",
      "ReturnConsumedCapacity", "ConsumedCapacity", "ConditionalCheckFailedException",
      "TransactionCanceledException",
      "ActorSource", // Pekko Streams
      "ServerSettings", // pekko-http
      "ConcurrentHashMap", // the JDK
      "MockApnsServer", // pushy
      "BadDeviceToken", "DeviceTokenNotForTopic", "ExpiredToken", // APNs error reasons
      "DynamoDB", "KiB");

  private static final Pattern CAMEL = Pattern.compile("[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+");
  private static final Pattern PACKAGE_CLASS = Pattern.compile("([a-z]+)/([A-Z]\\w*)");
  private static final Pattern QUALIFIED_CLASS = Pattern.compile("io\\.parley((?:\\.[a-z]+)*)\\.([A-Z]\\w*)");
  private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern WORD = Pattern.compile("\\b[A-Z][A-Za-z0-9]+\\b");

  static Path root;
  static List<Path> docs;
  static Set<String> declaredTypes;

  @BeforeAll
  static void readTheTree() throws IOException {
    root = repositoryRoot();
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> inDocs = Files.list(root.resolve("docs"))) {
      inDocs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    docs = files;
    declaredTypes = new HashSet<>();
    Pattern declaration = Pattern.compile("\\b(?:class|record|interface|enum)\\s+([A-Z]\\w*)");
    try (Stream<Path> sources = Files.walk(root.resolve("src"))) {
      sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
        String name = p.getFileName().toString();
        declaredTypes.add(name.substring(0, name.length() - ".java".length()));
        Matcher m = declaration.matcher(read(p));
        while (m.find()) {
          declaredTypes.add(m.group(1));
        }
      });
    }
  }

  @Test
  void readmeIsShortAndHoldsTheTwoCommands() {
    List<String> lines = lines(root.resolve("README.md"));
    assertTrue(lines.size() <= README_MAX_LINES,
        "README.md has " + lines.size() + " lines; at most " + README_MAX_LINES + ": move detail into docs/");
    String readme = String.join("\n", lines);
    for (String command : README_COMMANDS) {
      assertTrue(readme.contains(command), "README.md lacks the command: " + command);
    }
  }

  @Test
  void relativeLinksReachFilesAndHeadingsOfTheRepository() {
    List<String> problems = new ArrayList<>();
    for (Path doc : docs) {
      forEachProseLine(doc, (line, number) -> {
        Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
        while (link.find()) {
          String target = link.group(1);
          if (target.matches("^[a-z]+:.*")) {
            continue; // http:, https:, mailto:
          }
          String where = root.relativize(doc) + ":" + number + ": (" + target + ") ";
          int hash = target.indexOf('#');
          String file = hash < 0 ? target : target.substring(0, hash);
          Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
          if (!resolved.startsWith(root)) {
            problems.add(where + "points outside the repository");
          } else if (!Files.exists(resolved)) {
            problems.add(where + "no such file");
          } else if (hash >= 0 && resolved.toString().endsWith(".md")
              && !anchors(resolved).contains(target.substring(hash + 1))) {
            problems.add(where + "no such heading in " + root.relativize(resolved));
          }
        }
      });
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void backtickedPathsExist() {
    List<String> problems = new ArrayList<>();
    for (Path doc : docs) {
      forEachProseLine(doc, (line, number) -> {
        Matcher code = INLINE_CODE.matcher(line);
        while (code.find()) {
          String path = code.group(1).trim().replaceAll("…$", "");
          if ((path.startsWith("src/") || path.startsWith("k8s/")) && !Files.exists(root.resolve(path))) {
            problems.add(root.relativize(doc) + ":" + number + ": `" + path + "` does not exist");
          }
        }
      });
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void classesNamedInTheDocsExist() {
    List<String> problems = new ArrayList<>();
    for (Path doc : docs) {
      String name = root.relativize(doc).toString();
      forEachProseLine(doc, (line, number) -> {
        Matcher code = INLINE_CODE.matcher(line);
        while (code.find()) {
          String problem = unknownClass(code.group(1).trim());
          if (problem != null) {
            problems.add(name + ":" + number + ": " + problem);
          }
        }
      });
      forEachDiagramLine(doc, (line, number) -> {
        Matcher word = WORD.matcher(line);
        while (word.find()) {
          String w = word.group();
          if (CAMEL.matcher(w).matches() && !known(w)) {
            problems.add(name + ":" + number + ": " + w + " is declared nowhere under src/");
          }
        }
      });
    }
    assertEquals(List.of(), problems);
  }

  /** Why {@code code} names a class that is not there, or null. */
  private static String unknownClass(String code) {
    String bare = code.endsWith(".java") ? code.substring(0, code.length() - ".java".length()) : code;
    if (CAMEL.matcher(bare).matches()) {
      return known(bare) ? null : "`" + code + "` is declared nowhere under src/";
    }
    Matcher inPackage = PACKAGE_CLASS.matcher(code);
    if (inPackage.matches()) {
      Path file = Path.of("src/main/java/io/parley", inPackage.group(1), inPackage.group(2) + ".java");
      return Files.exists(root.resolve(file)) ? null : "`" + code + "`: no " + file;
    }
    Matcher qualified = QUALIFIED_CLASS.matcher(code);
    if (qualified.matches()) {
      Path file = Path.of("src/main/java/io/parley" + qualified.group(1).replace('.', '/'), qualified.group(2) + ".java");
      return Files.exists(root.resolve(file)) ? null : "`" + code + "`: no " + file;
    }
    return null;
  }

  private static boolean known(String name) {
    return declaredTypes.contains(name) || NAMED_ELSEWHERE.contains(name);
  }

  // ------------------------------------------------------------------------------- markdown

  interface LineVisitor {
    void visit(String line, int number);
  }

  /** Lines outside fenced code blocks. */
  private static void forEachProseLine(Path doc, LineVisitor visitor) {
    visitLines(doc, visitor, false);
  }

  /** Lines inside fenced code blocks that name no language: drawings such as the message path. */
  private static void forEachDiagramLine(Path doc, LineVisitor visitor) {
    visitLines(doc, visitor, true);
  }

  private static void visitLines(Path doc, LineVisitor visitor, boolean diagrams) {
    boolean inFence = false;
    boolean plainFence = false;
    int number = 0;
    for (String line : lines(doc)) {
      number++;
      if (line.startsWith("```")) {
        inFence = !inFence;
        plainFence = inFence && line.substring(3).isBlank();
        continue;
      }
      if (diagrams ? inFence && plainFence : !inFence) {
        visitor.visit(line, number);
      }
    }
  }

  private static final Map<Path, Set<String>> ANCHORS = new HashMap<>();

  /** The anchors GitHub makes of a file's headings. */
  static Set<String> anchors(Path doc) {
    return ANCHORS.computeIfAbsent(doc, d -> {
      Set<String> anchors = new HashSet<>();
      Map<String, Integer> seen = new HashMap<>();
      forEachProseLine(d, (line, number) -> {
        if (line.matches("^#{1,6} .*")) {
          String slug = slug(line.replaceFirst("^#+ ", ""));
          int times = seen.merge(slug, 1, Integer::sum);
          anchors.add(times == 1 ? slug : slug + "-" + (times - 1));
        }
      });
      return anchors;
    });
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, spaces made hyphens. */
  static String slug(String heading) {
    StringBuilder slug = new StringBuilder();
    heading.trim().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        slug.appendCodePoint(c);
      } else if (c == ' ') {
        slug.append('-');
      }
    });
    return slug.toString();
  }

  @Test
  void slugsAreGitHubs() {
    assertEquals("delete-for-everyone-msgdelete", slug("Delete for everyone: `msg.delete`"));
    assertEquals("items-no-longer-kept-pending_dropped", slug("Items no longer kept: `pending_dropped`"));
    assertEquals("parleys-extensions", slug("Parley's extensions"));
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.exists(dir.resolve("pom.xml")) && Files.exists(dir.resolve("README.md")))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no pom.xml with a README.md beside it above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static List<String> lines(Path file) {
    return read(file).lines().toList();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
