package io.parley.store.engine;

import io.parley.store.expr.Documents;
import io.parley.store.expr.Path;
import io.parley.store.model.AttributeValue;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The attributes a read returns: a ProjectionExpression, legacy AttributesToGet, or all. */
record Projection(List<Path> paths) {
  static final Projection ALL = new Projection(null);

  static Projection of(List<Path> expression, List<String> attributesToGet) {
    if (expression != null && attributesToGet != null) {
      throw StoreException.validation("Can not use both expression and non-expression parameters in the same request:"
          + " Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}");
    }
    if (expression != null) {
      return new Projection(expression);
    }
    if (attributesToGet != null) {
      if (attributesToGet.isEmpty()) {
        throw StoreException.validation("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1");
      }
      List<Path> paths = new ArrayList<>();
      for (String name : attributesToGet) {
        if (paths.contains(Path.of(name))) {
          throw StoreException.validation("One or more parameter values were invalid: Duplicate value in attribute name: " + name);
        }
        paths.add(Path.of(name));
      }
      return new Projection(paths);
    }
    return ALL;
  }

  boolean all() {
    return paths == null;
  }

  Map<String, AttributeValue> apply(Map<String, AttributeValue> item) {
    return paths == null ? item : Documents.project(item, paths);
  }
}
