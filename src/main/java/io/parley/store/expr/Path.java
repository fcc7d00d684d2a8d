package io.parley.store.expr;

import java.util.List;

/** A document path, {@code a.b[0].c}: names (already resolved from #placeholders) and list indexes. */
public record Path(List<Object> elements) {
  public Path {
    elements = List.copyOf(elements);
  }

  public static Path of(String name) {
    return new Path(List.of(name));
  }

  public String topName() {
    return (String) elements.get(0);
  }

  public int size() {
    return elements.size();
  }

  public Object at(int index) {
    return elements.get(index);
  }

  /** True if one path is a prefix of the other (DynamoDB refuses such paths in one update). */
  public boolean overlaps(Path other) {
    int common = Math.min(size(), other.size());
    for (int i = 0; i < common; i++) {
      if (!elements.get(i).equals(other.elements.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (Object element : elements) {
      if (element instanceof Integer index) {
        text.append('[').append(index).append(']');
      } else {
        if (!text.isEmpty()) {
          text.append('.');
        }
        text.append(element);
      }
    }
    return text.toString();
  }
}
