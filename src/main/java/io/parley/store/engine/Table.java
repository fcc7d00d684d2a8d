package io.parley.store.engine;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import io.parley.store.model.TableSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A table as the engine uses it: its row id, keys, indexes and TTL setting. */
public record Table(long id, TableSchema schema, KeyDef key, List<Index> indexes, String ttlAttribute,
    long createdMillis) {

  public String name() {
    return schema.tableName();
  }

  public Index index(String name) {
    for (Index index : indexes) {
      if (index.name().equals(name)) {
        return index;
      }
    }
    throw StoreException.validation("The table does not have the specified index: " + name);
  }

  public Table withTtl(String attribute) {
    return new Table(id, schema, key, indexes, attribute, createdMillis);
  }

  /** A hash key and an optional range key, by attribute name and type (S, N or B). */
  public record KeyDef(String hashName, String hashType, String rangeName, String rangeType) {
    public boolean hasRange() {
      return rangeName != null;
    }

    public boolean isKey(String attribute) {
      return attribute.equals(hashName) || attribute.equals(rangeName);
    }
  }

  /** A secondary index; {@code id} numbers its entries in the index table. */
  public record Index(int id, String name, boolean global, KeyDef key, String projectionType,
      Set<String> nonKeyAttributes) {

    /** {@code item} as this index holds it (its projection), given the table's keys. */
    public Map<String, AttributeValue> project(Map<String, AttributeValue> item, KeyDef tableKey) {
      if (projectionType.equals("ALL")) {
        return item;
      }
      Map<String, AttributeValue> projected = new LinkedHashMap<>();
      item.forEach((name, value) -> {
        if (tableKey.isKey(name) || key.isKey(name) || nonKeyAttributes.contains(name)) {
          projected.put(name, value);
        }
      });
      return projected;
    }
  }

  /** The encoded key of one item: hash bytes, range bytes (empty without a range key). */
  public record RowKey(byte[] hash, byte[] range) {}

  private static final byte[] NO_RANGE = new byte[0];

  /**
   * The row key of a request's {@code key}: exactly the table's key attributes, of the declared
   * types, not empty; else DynamoDB's ValidationException.
   */
  public RowKey rowKeyOfKey(Map<String, AttributeValue> given) {
    if (given == null || given.isEmpty()) {
      throw StoreException.validation("One or more parameter values were invalid: Missing the key " + key.hashName() + " in the item");
    }
    int expected = key.hasRange() ? 2 : 1;
    if (given.size() != expected || !given.containsKey(key.hashName())
        || (key.hasRange() && !given.containsKey(key.rangeName()))) {
      throw StoreException.validation("The provided key element does not match the schema");
    }
    return rowKeyOfItem(given);
  }

  /** The row key of a whole item, which must hold the key attributes. */
  public RowKey rowKeyOfItem(Map<String, AttributeValue> item) {
    byte[] hash = keyPart(item, key.hashName(), key.hashType(), 2048);
    byte[] range = key.hasRange() ? keyPart(item, key.rangeName(), key.rangeType(), 1024) : NO_RANGE;
    return new RowKey(hash, range);
  }

  /** DynamoDB's refusal of an empty string or binary ({@code type} S or B) as the value of key {@code name}. */
  static StoreException emptyKeyValue(String type, String name) {
    return StoreException.validation("One or more parameter values are not valid. The AttributeValue for a key attribute"
        + " cannot contain an empty " + (type.equals("S") ? "string" : "binary") + " value. Key: " + name);
  }

  private static byte[] keyPart(Map<String, AttributeValue> item, String name, String type, int maxBytes) {
    AttributeValue value = item.get(name);
    if (value == null) {
      throw StoreException.validation("One or more parameter values were invalid: Missing the key " + name + " in the item");
    }
    if (!value.type().equals(type)) {
      throw StoreException.validation("One or more parameter values were invalid: Type mismatch for key " + name
          + " expected: " + type + " actual: " + value.type());
    }
    byte[] bytes = KeyBytes.of(value);
    if (!type.equals("N") && bytes.length == 0) {
      throw emptyKeyValue(type, name);
    }
    if (bytes.length > maxBytes) {
      throw StoreException.validation("One or more parameter values were invalid: Size of " + (maxBytes == 2048 ? "hashkey" : "rangekey")
          + " has exceeded the maximum size limit of " + maxBytes + " bytes");
    }
    return bytes;
  }

  /**
   * The entry key of {@code item} in {@code index}, or null if the item lacks an index key (a
   * sparse index); an index key of the wrong type or empty is refused, as DynamoDB does.
   */
  public RowKey indexKey(Index index, Map<String, AttributeValue> item) {
    AttributeValue hash = item.get(index.key().hashName());
    AttributeValue range = index.key().hasRange() ? item.get(index.key().rangeName()) : null;
    if (hash == null || (index.key().hasRange() && range == null)) {
      return null;
    }
    byte[] hashBytes = indexPart(index, index.key().hashName(), index.key().hashType(), hash);
    byte[] rangeBytes = index.key().hasRange()
        ? indexPart(index, index.key().rangeName(), index.key().rangeType(), range) : NO_RANGE;
    return new RowKey(hashBytes, rangeBytes);
  }

  private static byte[] indexPart(Index index, String name, String type, AttributeValue value) {
    if (!value.type().equals(type)) {
      throw StoreException.validation("One or more parameter values were invalid: Type mismatch for Index Key " + name
          + " Expected: " + type + " Actual: " + value.type() + " IndexName: " + index.name());
    }
    byte[] bytes = KeyBytes.of(value);
    if (bytes.length == 0) {
      throw StoreException.validation("One or more parameter values are not valid. A value specified for a secondary index key"
          + " is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: "
          + index.name() + ", IndexKey: " + name);
    }
    return bytes;
  }

  /**
   * {@code item} as its row stores it: without the key attributes, which the row's key columns
   * hold already.
   */
  public byte[] encode(Map<String, AttributeValue> item) {
    return ItemCodec.encodeForRow(item, key.hashName(), key.hasRange() ? key.rangeName() : null);
  }

  /** The item of a row: its key columns and its stored attributes. */
  public Map<String, AttributeValue> decode(byte[] hash, byte[] range, byte[] stored) {
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put(key.hashName(), KeyBytes.value(key.hashType(), hash));
    if (key.hasRange()) {
      item.put(key.rangeName(), KeyBytes.value(key.rangeType(), range));
    }
    item.putAll(ItemCodec.decode(ItemCompression.unpack(stored)));
    return item;
  }

  /** The table's key attributes of {@code item}. */
  public Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
    Map<String, AttributeValue> keyValues = new LinkedHashMap<>();
    keyValues.put(key.hashName(), item.get(key.hashName()));
    if (key.hasRange()) {
      keyValues.put(key.rangeName(), item.get(key.rangeName()));
    }
    return keyValues;
  }

  /** The epoch second at which {@code item} expires, or null if it does not. */
  public Long expiry(Map<String, AttributeValue> item) {
    if (ttlAttribute == null) {
      return null;
    }
    AttributeValue value = item.get(ttlAttribute);
    if (!(value instanceof AttributeValue.N number)) {
      return null;
    }
    try {
      return number.decimal().longValue();
    } catch (ArithmeticException outOfRange) {
      return null;
    }
  }
}
