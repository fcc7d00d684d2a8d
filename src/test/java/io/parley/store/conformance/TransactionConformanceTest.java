package io.parley.store.conformance;

import static io.parley.store.conformance.Sandbox.validation;
import static io.parley.store.conformance.Values.item;
import static io.parley.store.conformance.Values.n;
import static io.parley.store.conformance.Values.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.dynamodbv2.model.AmazonDynamoDBException;
import com.amazonaws.services.dynamodbv2.model.CancellationReason;
import com.amazonaws.services.dynamodbv2.model.ConditionCheck;
import com.amazonaws.services.dynamodbv2.model.Delete;
import com.amazonaws.services.dynamodbv2.model.Put;
import com.amazonaws.services.dynamodbv2.model.ResourceNotFoundException;
import com.amazonaws.services.dynamodbv2.model.ReturnValuesOnConditionCheckFailure;
import com.amazonaws.services.dynamodbv2.model.ScalarAttributeType;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItem;
import com.amazonaws.services.dynamodbv2.model.TransactWriteItemsRequest;
import com.amazonaws.services.dynamodbv2.model.TransactionCanceledException;
import com.amazonaws.services.dynamodbv2.model.Update;
import java.util.List;
import java.util.stream.IntStream;

/** TransactWriteItems: Put, Update, Delete, ConditionCheck; up to 100 actions; all or nothing. */
class TransactionConformanceTest {

  private static TransactWriteItem put(String table, String key, int value) {
    return new TransactWriteItem().withPut(new Put().withTableName(table).withItem(item("pk", s(key), "v", n(value))));
  }

  private static TransactWriteItem increment(String table, String key, String condition) {
    Update update = new Update().withTableName(table).withKey(item("pk", s(key)))
        .withUpdateExpression("SET v = v + :one").withExpressionAttributeValues(item(":one", n(1)));
    return new TransactWriteItem().withUpdate(condition == null ? update : update.withConditionExpression(condition));
  }

  private static TransactWriteItem delete(String table, String key) {
    return new TransactWriteItem().withDelete(new Delete().withTableName(table).withKey(item("pk", s(key))));
  }

  private static TransactWriteItem check(String table, String key, String condition) {
    return new TransactWriteItem().withConditionCheck(new ConditionCheck().withTableName(table)
        .withKey(item("pk", s(key))).withConditionExpression(condition));
  }

  private static TransactWriteItemsRequest transaction(List<TransactWriteItem> actions) {
    return new TransactWriteItemsRequest().withTransactItems(actions);
  }

  /**
   * The API reference (TransactionCanceledException) lists "more than one action ... targets the same
   * item" and "a user error, such as an invalid data format" among the causes of a cancellation, whose
   * reason at the action's place is then "ValidationError"; DynamoDB answers some of them with a
   * ValidationException for the whole request instead. Either way, nothing is applied.
   */
  private static void refusedAsInvalid(Sandbox box, TransactWriteItemsRequest request, int invalidAction) {
    AmazonDynamoDBException refused = assertThrows(AmazonDynamoDBException.class, () -> box.db.transactWriteItems(request));
    if (refused instanceof TransactionCanceledException cancelled) {
      assertEquals("ValidationError", codes(cancelled).get(invalidAction));
    } else {
      assertEquals("ValidationException", refused.getErrorCode(), refused::getErrorMessage);
    }
  }

  /**
   * The reasons' codes in order. CancellationReason's reference says an action without error has a
   * null code; DynamoDB sends "None": both read as "None".
   */
  private static List<String> codes(TransactionCanceledException cancelled) {
    return cancelled.getCancellationReasons().stream()
        .map(reason -> reason.getCode() == null ? "None" : reason.getCode()).toList();
  }

  @ConformanceTest
  void appliesEveryKindOfActionTogether(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    String other = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("counter"), "v", n(1)));
    box.put(table, item("pk", s("doomed"), "v", n(0)));
    box.put(other, item("pk", s("guard"), "open", Values.bool(true)));
    box.db.transactWriteItems(transaction(List.of(put(table, "new", 7), increment(table, "counter", "v = :one"),
        delete(table, "doomed"), check(other, "guard", "attribute_exists(#o)"))
        .stream().map(a -> a.getConditionCheck() == null ? a
            : a.withConditionCheck(a.getConditionCheck().withExpressionAttributeNames(java.util.Map.of("#o", "open"))))
        .toList()));
    assertEquals(item("pk", s("new"), "v", n(7)), box.get(table, item("pk", s("new"))));
    assertEquals(item("pk", s("counter"), "v", n(2)), box.get(table, item("pk", s("counter"))));
    assertNull(box.get(table, item("pk", s("doomed"))));
    assertEquals(item("pk", s("guard"), "open", Values.bool(true)), box.get(other, item("pk", s("guard"))));
  }

  @ConformanceTest
  void oneFailedConditionCancelsAllWithReasonsInOrder(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "v", n(1)));
    box.put(table, item("pk", s("b"), "v", n(1)));
    box.put(table, item("pk", s("c"), "v", n(1)));
    TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
        () -> box.db.transactWriteItems(transaction(List.of(put(table, "new", 1), increment(table, "a", null),
            check(table, "b", "attribute_not_exists(pk)"), delete(table, "c")))));
    assertEquals(List.of("None", "None", "ConditionalCheckFailed", "None"), codes(cancelled));
    assertNull(box.get(table, item("pk", s("new"))), "nothing of a cancelled transaction is applied");
    assertEquals(item("pk", s("a"), "v", n(1)), box.get(table, item("pk", s("a"))));
    assertEquals(item("pk", s("b"), "v", n(1)), box.get(table, item("pk", s("b"))));
    assertEquals(item("pk", s("c"), "v", n(1)), box.get(table, item("pk", s("c"))));
  }

  @ConformanceTest
  void aCancellationReasonCanCarryTheItem(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "v", n(5)));
    TransactWriteItem failing = increment(table, "a", "v = :zero");
    failing.getUpdate().addExpressionAttributeValuesEntry(":zero", n(0))
        .withReturnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
    TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class,
        () -> box.db.transactWriteItems(transaction(List.of(put(table, "b", 1), failing))));
    CancellationReason reason = cancelled.getCancellationReasons().get(1);
    assertEquals("ConditionalCheckFailed", reason.getCode());
    assertEquals(item("pk", s("a"), "v", n(5)), reason.getItem());
  }

  @ConformanceTest
  void aHundredActionsAreOneTransactionAndMoreAreRefused(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    box.db.transactWriteItems(transaction(IntStream.range(0, 100).mapToObj(i -> put(table, "k" + i, i)).toList()));
    assertEquals(100, box.db.scan(table, List.of("pk")).getCount());
    validation(() -> box.db.transactWriteItems(transaction(IntStream.range(0, 101)
        .mapToObj(i -> put(table, "m" + i, i)).toList())));
    assertNull(box.get(table, item("pk", s("m0"))));
  }

  @ConformanceTest
  void itemsOfATransactionTotalAtMostFourMegabytes(Sandbox box) {
    // TransactWriteItems: "The aggregate size of the items in the transaction cannot exceed 4 MB."
    String table = box.table("pk", ScalarAttributeType.S);
    String big = "x".repeat(390_000);
    validation(() -> box.db.transactWriteItems(transaction(IntStream.range(0, 11).mapToObj(i -> new TransactWriteItem()
        .withPut(new Put().withTableName(table).withItem(item("pk", s("k" + i), "d", s(big))))).toList())));
    assertNull(box.get(table, item("pk", s("k0"))));
    box.db.transactWriteItems(transaction(IntStream.range(0, 10).mapToObj(i -> new TransactWriteItem()
        .withPut(new Put().withTableName(table).withItem(item("pk", s("k" + i), "d", s(big))))).toList()));
    assertEquals(big, box.get(table, item("pk", s("k9"))).get("d").getS());
  }

  @ConformanceTest
  void aClientRequestTokenMakesARetryIdempotent(Sandbox box) {
    // TransactWriteItems, ClientRequestToken: a repeat within 10 minutes is answered without being applied
    // again; the same token with other parameters is an IdempotentParameterMismatchException.
    String table = box.table("pk", ScalarAttributeType.S);
    box.put(table, item("pk", s("a"), "v", n(0)));
    String token = java.util.UUID.randomUUID().toString();
    TransactWriteItemsRequest request = transaction(List.of(increment(table, "a", null))).withClientRequestToken(token);
    box.db.transactWriteItems(request.clone());
    box.db.transactWriteItems(request.clone());
    assertEquals(item("pk", s("a"), "v", n(1)), box.get(table, item("pk", s("a"))));
    Sandbox.refused("IdempotentParameterMismatchException", () -> box.db.transactWriteItems(
        transaction(List.of(put(table, "b", 1))).withClientRequestToken(token)));
    assertNull(box.get(table, item("pk", s("b"))));
  }

  @ConformanceTest
  void refusesTwoActionsOnOneItemAndEmptyTransactions(Sandbox box) {
    String table = box.table("pk", ScalarAttributeType.S);
    validation(() -> box.db.transactWriteItems(transaction(List.of())));
    validation(() -> box.db.transactWriteItems(transaction(List.of(new TransactWriteItem().withConditionCheck(
        new ConditionCheck().withTableName(table).withKey(item("pk", s("a"))))))));
    refusedAsInvalid(box, transaction(List.of(put(table, "a", 1), delete(table, "a"))), 1);
    refusedAsInvalid(box, transaction(List.of(put(table, "b", 1), new TransactWriteItem().withPut(new Put()
        .withTableName(table).withItem(item("pk", n(1)))))), 1);
    assertNull(box.get(table, item("pk", s("a"))));
    assertNull(box.get(table, item("pk", s("b"))));
    assertThrows(ResourceNotFoundException.class,
        () -> box.db.transactWriteItems(transaction(List.of(put(Sandbox.freshName(), "a", 1)))));
  }
}
