package io.parley.store.expr;

import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens: names, #names, :values, list indexes and symbols. */
final class Tokenizer {
  enum Kind { NAME, HASH_NAME, VALUE, NUMBER, SYMBOL, END }

  record Token(Kind kind, String text, int position) {
    boolean is(String symbol) {
      return kind == Kind.SYMBOL && text.equals(symbol);
    }

    boolean isKeyword(String keyword) {
      return kind == Kind.NAME && text.equalsIgnoreCase(keyword);
    }
  }

  private Tokenizer() {}

  static List<Token> tokens(String expressionKind, String text) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (letter(c) || c == '_') {
        i = word(text, i + 1);
        tokens.add(new Token(Kind.NAME, text.substring(start, i), start));
      } else if (c == '#' || c == ':') {
        i = word(text, i + 1);
        if (i == start + 1) {
          throw syntax(expressionKind, String.valueOf(c), text, start);
        }
        tokens.add(new Token(c == '#' ? Kind.HASH_NAME : Kind.VALUE, text.substring(start, i), start));
      } else if (digit(c)) {
        while (i < text.length() && digit(text.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.NUMBER, text.substring(start, i), start));
      } else if (c == '<' && i + 1 < text.length() && (text.charAt(i + 1) == '=' || text.charAt(i + 1) == '>')) {
        tokens.add(new Token(Kind.SYMBOL, text.substring(i, i + 2), start));
        i += 2;
      } else if (c == '>' && i + 1 < text.length() && text.charAt(i + 1) == '=') {
        tokens.add(new Token(Kind.SYMBOL, ">=", start));
        i += 2;
      } else if ("=<>()[],.+-".indexOf(c) >= 0) {
        tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), start));
        i++;
      } else {
        throw new StoreException(StoreException.Code.ValidationException, "Invalid " + expressionKind
            + ": Invalid character encountered; character: \"" + c + "\", near: \"" + near(text, start) + "\"");
      }
    }
    tokens.add(new Token(Kind.END, "<EOF>", text.length()));
    return tokens;
  }

  private static int word(String text, int i) {
    while (i < text.length() && (letter(text.charAt(i)) || digit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  /** ASCII only: DynamoDB's names are of "alphanumeric characters", and a list index of digits 0-9. */
  private static boolean letter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  static StoreException syntax(String expressionKind, String token, String text, int position) {
    return StoreException.validation("Invalid " + expressionKind + ": Syntax error; token: \"" + token
        + "\", near: \"" + near(text, position) + "\"");
  }

  private static String near(String text, int position) {
    int from = Math.max(0, position - 10);
    int to = Math.min(text.length(), position + 10);
    return text.substring(from, to);
  }
}
