package io.parley.store.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Bytes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A row keeps an item without its key attributes; the encoder's buffer is reused, its results never. */
class ItemCodecTest {
  private static Map<String, AttributeValue> item(String text, byte[] binary) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("pk", new AttributeValue.S("Conversation|d:u1:u2"));
    item.put("sk", new AttributeValue.N("42"));
    item.put("text", new AttributeValue.S(text));
    item.put("event", new AttributeValue.B(Bytes.wrap(binary)));
    item.put("tags", new AttributeValue.SS(Set.of("a", "é")));
    item.put("list", new AttributeValue.L(List.of(new AttributeValue.Bool(true), new AttributeValue.Null(),
        new AttributeValue.M(Map.of("n", new AttributeValue.N("-1.5"))))));
    return item;
  }

  private static Map<String, AttributeValue> withoutKeys(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> rest = new LinkedHashMap<>(item);
    rest.remove("pk");
    rest.remove("sk");
    return rest;
  }

  @Test
  void aRowKeepsTheItemWithoutItsKeyAttributesSmallLargeAndIncompressible() {
    byte[] random = new byte[5_000];
    new Random(40).nextBytes(random);
    for (Map<String, AttributeValue> item : List.of(
        item("hi", new byte[] {1}),
        item("ascii ".repeat(2_000), "{\"seq\":1}".repeat(500).getBytes()),
        item("non-ASCII é € 😀 and a lone \uD83D surrogate", random),
        item("x".repeat(300_000), random))) {
      byte[] row = ItemCodec.encodeForRow(item, "pk", "sk");
      Map<String, AttributeValue> expected = withoutKeys(item);
      // Non-ASCII text is kept as the JDK's encoder writes it, a lone surrogate as '?'.
      expected.put("text", new AttributeValue.S(new String(((AttributeValue.S) item.get("text")).value()
          .getBytes(UTF_8), UTF_8)));
      assertEquals(expected, ItemCodec.decode(ItemCompression.unpack(row)));
      assertArrayEquals(ItemCompression.pack(ItemCodec.encode(withoutKeys(item))), row,
          "the same bytes as encoding the item without its keys");
    }
  }

  @Test
  void aTableWithoutARangeKeyLeavesOutOnlyItsHashKey() {
    Map<String, AttributeValue> item = item("hi", new byte[] {1});
    Map<String, AttributeValue> expected = new LinkedHashMap<>(item);
    expected.remove("pk");
    assertEquals(expected, ItemCodec.decode(ItemCompression.unpack(ItemCodec.encodeForRow(item, "pk", null))));
  }

  @Test
  void oneEncodingIsNotChangedByTheNextOnTheSameThread() {
    byte[] first = ItemCodec.encodeForRow(item("first", new byte[] {1, 2}), "pk", "sk");
    byte[] copy = first.clone();
    byte[] plain = ItemCodec.encode(item("plain", new byte[] {3}));
    byte[] plainCopy = plain.clone();
    byte[] second = ItemCodec.encodeForRow(item("second ".repeat(100), new byte[] {3}), "pk", "sk");
    ItemCodec.encode(item("third", new byte[700]));
    assertNotSame(first, second);
    assertArrayEquals(copy, first);
    assertArrayEquals(plainCopy, plain);
  }
}
