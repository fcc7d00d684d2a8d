package io.parley.store.expr;

import io.parley.store.expr.Ast.And;
import io.parley.store.expr.Ast.BeginsWith;
import io.parley.store.expr.Ast.Between;
import io.parley.store.expr.Ast.Compare;
import io.parley.store.expr.Ast.Comparator;
import io.parley.store.expr.Ast.Condition;
import io.parley.store.expr.Ast.Contains;
import io.parley.store.expr.Ast.Exists;
import io.parley.store.expr.Ast.IfNotExists;
import io.parley.store.expr.Ast.In;
import io.parley.store.expr.Ast.ListAppend;
import io.parley.store.expr.Ast.Minus;
import io.parley.store.expr.Ast.Not;
import io.parley.store.expr.Ast.NotExists;
import io.parley.store.expr.Ast.Operand;
import io.parley.store.expr.Ast.Or;
import io.parley.store.expr.Ast.PathOperand;
import io.parley.store.expr.Ast.Plain;
import io.parley.store.expr.Ast.Plus;
import io.parley.store.expr.Ast.SetAction;
import io.parley.store.expr.Ast.SetValue;
import io.parley.store.expr.Ast.SizeOperand;
import io.parley.store.expr.Ast.TypeIs;
import io.parley.store.expr.Ast.ValueAction;
import io.parley.store.expr.Ast.ValueOperand;
import io.parley.store.expr.Tokenizer.Kind;
import io.parley.store.expr.Tokenizer.Token;
import io.parley.store.model.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A recursive-descent parser for one expression, over the tokens of {@link Tokenizer}. Grammar
 * (keywords case-insensitive, function names as DynamoDB spells them):
 *
 * <pre>
 * condition  := or
 * or         := and ("OR" and)*
 * and        := not ("AND" not)*
 * not        := "NOT" not | primary
 * primary    := "(" condition ")" | function | operand comparator operand
 *             | operand "BETWEEN" operand "AND" operand | operand "IN" "(" operand ("," operand)* ")"
 * function   := attribute_exists(path) | attribute_not_exists(path) | attribute_type(path, operand)
 *             | begins_with(path, operand) | contains(path, operand)
 * operand    := path | :value | size(path)
 * path       := name ("." name | "[" digits "]")*      name := identifier | #name
 * update     := (("SET" set ("," set)*) | ("REMOVE" path ("," path)*)
 *             | ("ADD" path :value ("," ...)*) | ("DELETE" path :value ("," ...)*))+
 * set        := path "=" term (("+" | "-") term)?
 * term       := operand | if_not_exists(path, term) | list_append(term, term)
 * projection := path ("," path)*
 * </pre>
 */
final class Parser {
  /** DynamoDB's limit on any one expression string, 4 KB. */
  private static final int MAX_EXPRESSION_BYTES = 4096;

  /**
   * Parenthesised groups and NOTs one inside another, at most. 4 KB of them would nest 1,000 to
   * 2,000 deep and overflow the stack of the parser or of what walks the tree; DynamoDB refuses
   * such parentheses as redundant, and each NOT or needed group is an operator, of which
   * DynamoDB allows 300 (developer guide, "Service quotas", expression parameters).
   */
  private static final int MAX_DEPTH = 300;

  private final String kind;
  private final String text;
  private final List<Token> tokens;
  private final Placeholders placeholders;
  private int next;
  private int depth;

  Parser(String kind, String text, Placeholders placeholders) {
    this.kind = kind;
    this.text = text;
    this.placeholders = placeholders;
    if (text.isBlank()) {
      throw StoreException.validation("Invalid " + kind + ": The expression can not be empty;");
    }
    int size = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (size > MAX_EXPRESSION_BYTES) {
      throw StoreException.validation("Invalid " + kind + ": Expression size has exceeded the maximum allowed size;"
          + " expression size: " + size);
    }
    this.tokens = Tokenizer.tokens(kind, text);
  }

  Condition wholeCondition() {
    Condition condition = or();
    expectEnd();
    return condition;
  }

  Ast.Update wholeUpdate() {
    List<SetAction> sets = new ArrayList<>();
    List<Path> removes = new ArrayList<>();
    List<ValueAction> adds = new ArrayList<>();
    List<ValueAction> deletes = new ArrayList<>();
    List<String> clauses = new ArrayList<>();
    do {
      Token clause = take();
      String name = clause.kind() == Kind.NAME ? clause.text().toUpperCase(Locale.ROOT) : "";
      if (!List.of("SET", "REMOVE", "ADD", "DELETE").contains(name)) {
        throw syntax(clause);
      }
      if (clauses.contains(name)) {
        throw StoreException.validation("Invalid " + kind + ": The \"" + name
            + "\" section can only be used once in an update expression;");
      }
      clauses.add(name);
      do {
        switch (name) {
          case "SET" -> {
            Path path = path();
            expectSymbol("=");
            sets.add(new SetAction(path, setValue()));
          }
          case "REMOVE" -> removes.add(path());
          case "ADD" -> adds.add(new ValueAction(path(), valueOperand()));
          default -> deletes.add(new ValueAction(path(), valueOperand()));
        }
      } while (acceptSymbol(","));
    } while (peek().kind() != Kind.END);
    return new Ast.Update(sets, removes, adds, deletes);
  }

  List<Path> wholeProjection() {
    List<Path> paths = new ArrayList<>();
    do {
      paths.add(path());
    } while (acceptSymbol(","));
    expectEnd();
    return paths;
  }

  private Condition or() {
    Condition left = and();
    while (peek().isKeyword("OR")) {
      take();
      left = new Or(left, and());
    }
    return left;
  }

  private Condition and() {
    Condition left = not();
    while (peek().isKeyword("AND")) {
      take();
      left = new And(left, not());
    }
    return left;
  }

  private Condition not() {
    if (peek().isKeyword("NOT")) {
      take();
      deeper();
      Condition negated = new Not(not());
      depth--;
      return negated;
    }
    return primary();
  }

  private void deeper() {
    if (++depth > MAX_DEPTH) {
      throw StoreException.validation("Invalid " + kind + ": The expression nests NOTs and parentheses more than "
          + MAX_DEPTH + " deep;");
    }
  }

  private Condition primary() {
    if (acceptSymbol("(")) {
      deeper();
      Condition inner = or();
      expectSymbol(")");
      depth--;
      return inner;
    }
    Token first = peek();
    if (first.kind() == Kind.NAME && tokens.get(next + 1).is("(")) {
      switch (first.text()) {
        case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains" -> {
          return function();
        }
        case "size" -> { /* an operand; falls through to the comparison below */ }
        default -> throw StoreException.validation("Invalid " + kind
            + ": Invalid function name; function: " + first.text());
      }
    }
    Operand left = operand();
    Token operator = take();
    if (operator.isKeyword("BETWEEN")) {
      Operand lower = operand();
      if (!take().isKeyword("AND")) {
        throw syntax(tokens.get(next - 1));
      }
      return new Between(left, lower, operand());
    }
    if (operator.isKeyword("IN")) {
      expectSymbol("(");
      List<Operand> candidates = new ArrayList<>();
      do {
        candidates.add(operand());
      } while (acceptSymbol(","));
      expectSymbol(")");
      if (candidates.size() > 100) {
        throw StoreException.validation("Invalid " + kind + ": The IN operator is provided with too many operands; number of operands: " + candidates.size());
      }
      return new In(left, candidates);
    }
    for (Comparator comparator : Comparator.values()) {
      if (operator.is(comparator.symbol)) {
        return new Compare(comparator, left, operand());
      }
    }
    throw syntax(operator);
  }

  private Condition function() {
    String name = take().text();
    expectSymbol("(");
    Path path = path();
    Condition condition = switch (name) {
      case "attribute_exists" -> new Exists(path);
      case "attribute_not_exists" -> new NotExists(path);
      default -> {
        expectSymbol(",");
        Operand argument = operand();
        yield switch (name) {
          case "attribute_type" -> new TypeIs(path, argument);
          case "begins_with" -> new BeginsWith(path, argument);
          default -> new Contains(path, argument);
        };
      }
    };
    expectSymbol(")");
    return condition;
  }

  private Operand operand() {
    Token token = peek();
    if (token.kind() == Kind.VALUE) {
      return valueOperand();
    }
    if (token.kind() == Kind.NAME && tokens.get(next + 1).is("(")) {
      if (!token.text().equals("size")) {
        throw StoreException.validation("Invalid " + kind + ": The function is not allowed to be used this way in an expression; function: " + token.text());
      }
      take();
      expectSymbol("(");
      Path path = path();
      expectSymbol(")");
      return new SizeOperand(path);
    }
    return new PathOperand(path());
  }

  private ValueOperand valueOperand() {
    Token token = take();
    if (token.kind() != Kind.VALUE) {
      throw syntax(token);
    }
    return new ValueOperand(token.text(), placeholders.value(token.text()));
  }

  private SetValue setValue() {
    SetValue left = term();
    if (acceptSymbol("+")) {
      return new Plus(left, term());
    }
    if (acceptSymbol("-")) {
      return new Minus(left, term());
    }
    return left;
  }

  private SetValue term() {
    Token token = peek();
    if (token.kind() == Kind.NAME && tokens.get(next + 1).is("(")) {
      take();
      expectSymbol("(");
      SetValue value;
      switch (token.text()) {
        case "if_not_exists" -> {
          Path path = path();
          expectSymbol(",");
          value = new IfNotExists(path, term());
        }
        case "list_append" -> {
          SetValue first = term();
          expectSymbol(",");
          value = new ListAppend(first, term());
        }
        default -> throw StoreException.validation("Invalid " + kind + ": Invalid function name; function: " + token.text());
      }
      expectSymbol(")");
      return value;
    }
    return new Plain(operand());
  }

  private Path path() {
    List<Object> elements = new ArrayList<>();
    elements.add(name());
    while (true) {
      if (acceptSymbol(".")) {
        elements.add(name());
      } else if (acceptSymbol("[")) {
        Token index = take();
        if (index.kind() != Kind.NUMBER) {
          throw syntax(index);
        }
        try {
          elements.add(Integer.parseInt(index.text()));
        } catch (NumberFormatException tooLarge) {
          throw syntax(index);
        }
        expectSymbol("]");
      } else {
        return new Path(elements);
      }
    }
  }

  private String name() {
    Token token = take();
    if (token.kind() == Kind.HASH_NAME) {
      return placeholders.name(token.text());
    }
    if (token.kind() != Kind.NAME) {
      throw syntax(token);
    }
    if (ReservedWords.contains(token.text())) {
      throw StoreException.validation("Invalid " + kind + ": Attribute name is a reserved keyword; reserved keyword: " + token.text());
    }
    return token.text();
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    Token token = tokens.get(next);
    if (token.kind() != Kind.END) {
      next++;
    }
    return token;
  }

  private boolean acceptSymbol(String symbol) {
    if (peek().is(symbol)) {
      next++;
      return true;
    }
    return false;
  }

  private void expectSymbol(String symbol) {
    Token token = take();
    if (!token.is(symbol)) {
      throw syntax(token);
    }
  }

  private void expectEnd() {
    if (peek().kind() != Kind.END) {
      throw syntax(peek());
    }
  }

  private StoreException syntax(Token token) {
    return Tokenizer.syntax(kind, token.text(), text, token.position());
  }
}
