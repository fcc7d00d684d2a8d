package io.parley.store.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.Bytes;
import io.parley.store.model.Sets;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Attribute values in DynamoDB's JSON protocol: {"S": "..."}, {"N": "1"}, {"B": base64}, ... */
final class JsonValues {
  private JsonValues() {}

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static Map<String, AttributeValue> item(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw serialization("an item must be a JSON object");
    }
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      item.put(field.getKey(), value(field.getValue()));
    }
    return item;
  }

  static AttributeValue value(JsonNode node) {
    if (node == null || !node.isObject() || node.size() == 0) {
      throw StoreException.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    if (node.size() > 1) {
      throw StoreException.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    }
    Map.Entry<String, JsonNode> only = node.fields().next();
    JsonNode content = only.getValue();
    switch (only.getKey()) {
      case "S": return new AttributeValue.S(text(content));
      case "N": return AttributeValue.N.of(text(content));
      case "B": return new AttributeValue.B(bytes(content));
      case "SS": return Sets.ss(texts(content));
      case "NS": return Sets.ns(texts(content));
      case "BS": {
        List<Bytes> values = new ArrayList<>();
        array(content).forEach(element -> values.add(bytes(element)));
        return Sets.bs(values);
      }
      case "BOOL":
        if (!content.isBoolean()) {
          throw serialization("BOOL must be true or false");
        }
        return new AttributeValue.Bool(content.booleanValue());
      case "NULL":
        if (!content.isBoolean() || !content.booleanValue()) {
          throw StoreException.validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
        }
        return new AttributeValue.Null();
      case "L": {
        List<AttributeValue> values = new ArrayList<>();
        array(content).forEach(element -> values.add(value(element)));
        return new AttributeValue.L(values);
      }
      case "M": return new AttributeValue.M(item(content));
      default: throw serialization("Unknown attribute value type: " + only.getKey());
    }
  }

  private static String text(JsonNode node) {
    if (!node.isTextual()) {
      throw wrongType("An attribute value", "a string", node);
    }
    return node.textValue();
  }

  private static List<String> texts(JsonNode node) {
    List<String> values = new ArrayList<>();
    array(node).forEach(element -> values.add(text(element)));
    return values;
  }

  private static ArrayNode array(JsonNode node) {
    if (!node.isArray()) {
      throw wrongType("An attribute value", "a list", node);
    }
    return (ArrayNode) node;
  }

  private static Bytes bytes(JsonNode node) {
    try {
      return Bytes.wrap(Base64.getDecoder().decode(text(node)));
    } catch (IllegalArgumentException notBase64) {
      throw serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " + text(node).length());
    }
  }

  /** A member of the wrong JSON type: DynamoDB's SerializationException. */
  static StoreException wrongType(String member, String expected, JsonNode found) {
    return serialization(member + " must be " + expected + ", found " + found.getNodeType()
        + (found.isValueNode() ? " " + found : ""));
  }

  static StoreException serialization(String message) {
    return new StoreException(StoreException.Code.SerializationException, message);
  }

  static ObjectNode json(Map<String, AttributeValue> item) {
    ObjectNode node = NODES.objectNode();
    item.forEach((name, value) -> node.set(name, json(value)));
    return node;
  }

  static ObjectNode json(AttributeValue value) {
    ObjectNode node = NODES.objectNode();
    if (value instanceof AttributeValue.S s) {
      node.put("S", s.value());
    } else if (value instanceof AttributeValue.N n) {
      node.put("N", n.value());
    } else if (value instanceof AttributeValue.B b) {
      node.put("B", b.value().toString());
    } else if (value instanceof AttributeValue.SS ss) {
      ArrayNode values = node.putArray("SS");
      ss.values().forEach(values::add);
    } else if (value instanceof AttributeValue.NS ns) {
      ArrayNode values = node.putArray("NS");
      ns.values().forEach(values::add);
    } else if (value instanceof AttributeValue.BS bs) {
      ArrayNode values = node.putArray("BS");
      bs.values().forEach(element -> values.add(element.toString()));
    } else if (value instanceof AttributeValue.Bool bool) {
      node.put("BOOL", bool.value());
    } else if (value instanceof AttributeValue.Null) {
      node.put("NULL", true);
    } else if (value instanceof AttributeValue.L list) {
      ArrayNode values = node.putArray("L");
      list.values().forEach(element -> values.add(json(element)));
    } else {
      node.set("M", json(((AttributeValue.M) value).values()));
    }
    return node;
  }
}
