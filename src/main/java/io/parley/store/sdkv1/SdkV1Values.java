package io.parley.store.sdkv1;

import io.parley.store.model.AttributeValue;
import io.parley.store.model.Bytes;
import io.parley.store.model.Sets;
import io.parley.store.model.StoreException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Attribute values between the AWS SDK v1's model and the store's. */
final class SdkV1Values {
  private SdkV1Values() {}

  static Map<String, AttributeValue> item(Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue> sdk) {
    if (sdk == null) {
      return null;
    }
    Map<String, AttributeValue> item = new LinkedHashMap<>(sdk.size() * 2);
    sdk.forEach((name, value) -> item.put(name, value(value)));
    return item;
  }

  static AttributeValue value(com.amazonaws.services.dynamodbv2.model.AttributeValue sdk) {
    if (sdk == null) {
      throw StoreException.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    AttributeValue value = null;
    int types = 0;
    if (sdk.getS() != null) {
      value = new AttributeValue.S(sdk.getS());
      types++;
    }
    if (sdk.getN() != null) {
      value = AttributeValue.N.of(sdk.getN());
      types++;
    }
    if (sdk.getB() != null) {
      value = new AttributeValue.B(bytes(sdk.getB()));
      types++;
    }
    if (sdk.getSS() != null) {
      value = Sets.ss(sdk.getSS());
      types++;
    }
    if (sdk.getNS() != null) {
      value = Sets.ns(sdk.getNS());
      types++;
    }
    if (sdk.getBS() != null) {
      List<Bytes> values = new ArrayList<>();
      sdk.getBS().forEach(element -> values.add(bytes(element)));
      value = Sets.bs(values);
      types++;
    }
    if (sdk.getBOOL() != null) {
      value = new AttributeValue.Bool(sdk.getBOOL());
      types++;
    }
    if (sdk.getNULL() != null) {
      if (!sdk.getNULL()) {
        throw StoreException.validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
      }
      value = new AttributeValue.Null();
      types++;
    }
    if (sdk.getL() != null) {
      List<AttributeValue> values = new ArrayList<>(sdk.getL().size());
      sdk.getL().forEach(element -> values.add(value(element)));
      value = new AttributeValue.L(values);
      types++;
    }
    if (sdk.getM() != null) {
      value = new AttributeValue.M(item(sdk.getM()));
      types++;
    }
    if (types == 0) {
      throw StoreException.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    }
    if (types > 1) {
      throw StoreException.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    }
    return value;
  }

  private static Bytes bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return Bytes.wrap(bytes);
  }

  static Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue> sdkItem(Map<String, AttributeValue> item) {
    if (item == null) {
      return null;
    }
    Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue> sdk = new LinkedHashMap<>(item.size() * 2);
    item.forEach((name, value) -> sdk.put(name, sdkValue(value)));
    return sdk;
  }

  static com.amazonaws.services.dynamodbv2.model.AttributeValue sdkValue(AttributeValue value) {
    var sdk = new com.amazonaws.services.dynamodbv2.model.AttributeValue();
    if (value instanceof AttributeValue.S s) {
      sdk.setS(s.value());
    } else if (value instanceof AttributeValue.N n) {
      sdk.setN(n.value());
    } else if (value instanceof AttributeValue.B b) {
      sdk.setB(ByteBuffer.wrap(b.value().toArray()));
    } else if (value instanceof AttributeValue.SS ss) {
      sdk.setSS(new ArrayList<>(ss.values()));
    } else if (value instanceof AttributeValue.NS ns) {
      sdk.setNS(new ArrayList<>(ns.values()));
    } else if (value instanceof AttributeValue.BS bs) {
      List<ByteBuffer> values = new ArrayList<>();
      bs.values().forEach(element -> values.add(ByteBuffer.wrap(element.toArray())));
      sdk.setBS(values);
    } else if (value instanceof AttributeValue.Bool bool) {
      sdk.setBOOL(bool.value());
    } else if (value instanceof AttributeValue.Null) {
      sdk.setNULL(true);
    } else if (value instanceof AttributeValue.L list) {
      List<com.amazonaws.services.dynamodbv2.model.AttributeValue> values = new ArrayList<>();
      list.values().forEach(element -> values.add(sdkValue(element)));
      sdk.setL(values);
    } else {
      sdk.setM(sdkItem(((AttributeValue.M) value).values()));
    }
    return sdk;
  }

  static List<Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue>> sdkItems(List<Map<String, AttributeValue>> items) {
    if (items == null) {
      return null;
    }
    List<Map<String, com.amazonaws.services.dynamodbv2.model.AttributeValue>> sdk = new ArrayList<>(items.size());
    items.forEach(item -> sdk.add(sdkItem(item)));
    return sdk;
  }
}
