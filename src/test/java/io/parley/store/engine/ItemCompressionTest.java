package io.parley.store.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Bytes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** Rows keep large items compressed when that saves room, and read items stored in every earlier form. */
class ItemCompressionTest {
  @Test
  void aLargeItemThatCompressesIsStoredCompressedAndReadBackTheSame() {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put("persistence_id", new AttributeValue.S("Conversation|d:u1:u2"));
    item.put("event", new AttributeValue.B(Bytes.wrap(
        "{\"seq\":1,\"senderId\":\"u1\",\"contentType\":\"text\"}".repeat(40).getBytes())));
    byte[] encoded = ItemCodec.encode(item);
    byte[] stored = ItemCompression.pack(encoded);
    assertTrue(stored.length < encoded.length / 3, stored.length + " of " + encoded.length);
    assertArrayEquals(new byte[] {(byte) 0x80, (byte) 0x80, 0x00}, Arrays.copyOf(stored, 3), "LZ4's marker");
    assertEquals(item, ItemCodec.decode(ItemCompression.unpack(stored)));
  }

  @Test
  void itemsDeflatedByEarlierBuildsReadAsTheyWere() {
    // Until LZ4, rows held a raw deflate stream after 0x80 0x00; data dirs keep them.
    Map<String, AttributeValue> item = Map.of("event", new AttributeValue.S("{\"seq\":1}".repeat(100)));
    byte[] encoded = ItemCodec.encode(item);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    deflater.setInput(encoded);
    deflater.finish();
    byte[] out = new byte[encoded.length];
    out[0] = (byte) 0x80;
    int n = 2 + deflater.deflate(out, 2, out.length - 2);
    assertTrue(deflater.finished());
    assertEquals(item, ItemCodec.decode(ItemCompression.unpack(Arrays.copyOf(out, n))));
  }

  @Test
  void smallOrIncompressibleItemsAreStoredAsTheyAre() {
    byte[] small = ItemCodec.encode(Map.of("a", new AttributeValue.S("b")));
    assertSame(small, ItemCompression.pack(small));
    byte[] random = new byte[4000];
    new Random(7).nextBytes(random);
    byte[] sealed = ItemCodec.encode(Map.of("content", new AttributeValue.B(Bytes.wrap(random))));
    assertArrayEquals(sealed, ItemCompression.pack(sealed));
  }

  @Test
  void itemsStoredBeforeCompressionReadAsTheyWere() {
    // Every plain encoding starts with its attribute count as a shortest varint: never 0x80 0x00.
    byte[] keysOnly = ItemCodec.encode(Map.of());
    assertArrayEquals(new byte[] {0}, keysOnly);
    assertSame(keysOnly, ItemCompression.unpack(keysOnly));
    Map<String, AttributeValue> many = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      many.put("a" + i, new AttributeValue.N(Integer.toString(i)));
    }
    byte[] plain = ItemCodec.encode(many);
    assertEquals((byte) 0xC8, plain[0], "200 attributes: a two-byte count");
    assertEquals(many, ItemCodec.decode(ItemCompression.unpack(plain)));
  }

  @Test
  void aCompressedValueCutShortOrDamagedIsAnErrorNotAnotherItem() {
    Map<String, AttributeValue> item = Map.of("event", new AttributeValue.S("x".repeat(5000)));
    byte[] stored = ItemCompression.pack(ItemCodec.encode(item));
    assertThrows(IllegalStateException.class, () -> ItemCompression.unpack(Arrays.copyOf(stored, stored.length / 2)));
    byte[] longerThanSaid = stored.clone();
    longerThanSaid[6]--; // the original length, one byte short of what the block holds
    assertThrows(IllegalStateException.class, () -> ItemCompression.unpack(longerThanSaid));
  }
}
