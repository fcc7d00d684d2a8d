package io.parley.store.expr;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** DynamoDB's reserved words (developer guide, "Reserved words in DynamoDB"), refused as bare names. */
final class ReservedWords {
  private ReservedWords() {}

  private static final Set<String> WORDS = load();

  static boolean contains(String name) {
    return WORDS.contains(name.toUpperCase(Locale.ROOT));
  }

  private static Set<String> load() {
    var stream = ReservedWords.class.getResourceAsStream("/io/parley/store/reserved-words.txt");
    if (stream == null) {
      throw new IllegalStateException("reserved-words.txt is missing from the store's resources");
    }
    Set<String> words = new HashSet<>();
    try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          words.add(line.trim().toUpperCase(Locale.ROOT));
        }
      }
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
    return Set.copyOf(words);
  }
}
