package io.parley.store.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The same seeded random operations against two targets, every answer compared ({@link Answers}),
 * then the whole table. The pair is {@link Targets#differentialPair()}: two independent dynoxide
 * processes for now (a smoke test of the harness), dynoxide and the embedded store once it is merged.
 */
class DifferentialTest {
  private static final long SEED = 20261126L;
  private static final int OPERATIONS = 2_000;

  @Test
  void twoTargetsGiveTheSameAnswers() {
    List<Targets.Kind> pair = Targets.differentialPair();
    assumeTrue(pair.size() == 2, "the differential test needs two targets");
    try (Target reference = pair.get(0).start().get(); Target candidate = pair.get(1).start().get()) {
      String table = Sandbox.freshName();
      reference.client().createTable(RandomOperations.schema(table));
      candidate.client().createTable(RandomOperations.schema(table));
      RandomOperations operations = new RandomOperations(SEED, table);
      Map<String, Integer> outcomes = new TreeMap<>();
      for (int i = 0; i < OPERATIONS; i++) {
        String answer = compare(i, operations.next(), reference, candidate);
        outcomes.merge(answer.startsWith("refused") ? answer.replaceAll("\\[.*", "") : "answered", 1, Integer::sum);
      }
      compare(OPERATIONS, operations.wholeTable(), reference, candidate);
      // The generator means to send valid requests only, and both outcomes of conditions and transactions.
      assertEquals(Set.of("answered", "refused ConditionalCheckFailedException", "refused TransactionCanceledException"),
          outcomes.keySet(), outcomes::toString);
      reference.client().deleteTable(table);
      candidate.client().deleteTable(table);
    }
  }

  private static String compare(int index, RandomOperations.Operation operation, Target reference, Target candidate) {
    String expected = operation.send().apply(reference.client());
    String actual = operation.send().apply(candidate.client());
    assertEquals(expected, actual, () -> "operation " + index + " (seed " + SEED + "): " + operation.description()
        + "\n" + reference.name() + " and " + candidate.name() + " answer differently");
    return expected;
  }
}
