package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
import com.amazonaws.services.dynamodbv2.AmazonDynamoDBAsync;
import io.parley.metrics.ParleyMetrics;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded store, called from this JVM without HTTP. Through its HTTP door every request is
 * marshalled to JSON by the SDK, sent over a socket, parsed and answered the same way back, with a
 * hand-off between threads at each end; the store's in-process client skips all of that on the
 * same database, so everything else (the HTTP door for tools and other nodes included) sees the
 * same data.
 *
 * <p>Clients find the in-process client by the endpoint the configuration names, so nothing
 * changes for a node that uses a DynamoDB of another process. Requests and their failures are
 * counted here, as {@link DynamoDbRequestCounter} counts those that leave through the SDK.
 */
public final class InProcessDynamoDb {
  private static final Map<String, AmazonDynamoDB> BY_ENDPOINT = new ConcurrentHashMap<>();
  private static final Map<String, AmazonDynamoDBAsync> ASYNC_BY_ENDPOINT = new ConcurrentHashMap<>();

  private InProcessDynamoDb() {}

  /**
   * The store at {@code endpoint} runs in this JVM: {@code client} for calls that wait, and
   * {@code async} for the persistence plugin's, which the store answers from its writer once
   * committed, with no thread of its own waiting.
   */
  static void register(String endpoint, AmazonDynamoDB client, AmazonDynamoDBAsync async) {
    BY_ENDPOINT.put(endpoint, counting(AmazonDynamoDB.class, client));
    ASYNC_BY_ENDPOINT.put(endpoint, counting(AmazonDynamoDBAsync.class, async));
  }

  static void unregister(String endpoint) {
    BY_ENDPOINT.remove(endpoint);
    ASYNC_BY_ENDPOINT.remove(endpoint);
  }

  /** The in-process client of the store at {@code endpoint}, if this JVM runs it. */
  static Optional<AmazonDynamoDB> at(String endpoint) {
    return Optional.ofNullable(BY_ENDPOINT.get(endpoint));
  }

  /** The asynchronous in-process client of the store at {@code endpoint}, if this JVM runs it. */
  static Optional<AmazonDynamoDBAsync> asyncAt(String endpoint) {
    return Optional.ofNullable(ASYNC_BY_ENDPOINT.get(endpoint));
  }

  /** What the client interface has besides requests. */
  private static final Set<String> NOT_REQUESTS = Set.of("setEndpoint", "setRegion",
      "getCachedResponseMetadata", "waiters");

  /**
   * {@code client}, with every request counted (a convenience overload too, such as
   * {@code putItem(table, item)}, and an {@code xAsync} call as {@code x}). Its shutdown does
   * nothing: the persistence plugins shut their client down when they stop, which must not close
   * the store for everyone (its HTTP door, and the next actor system of this JVM);
   * {@link EmbeddedDynamoDb} closes it.
   */
  private static <T extends AmazonDynamoDB> T counting(Class<T> type, T client) {
    return proxy(type, (self, method, args) -> {
      String name = method.getName();
      if (name.equals("shutdown")) {
        return null;
      }
      Class<?> declared = method.getDeclaringClass();
      boolean async = declared == AmazonDynamoDBAsync.class && name.endsWith("Async");
      if ((declared == AmazonDynamoDB.class || async) && !NOT_REQUESTS.contains(name)) {
        String operation = async ? name.substring(0, name.length() - "Async".length()) : name;
        int items = args != null && args[0] instanceof AmazonWebServiceRequest request
            ? DynamoDbRequestCounter.itemsWritten(request)
            : operation.equals("putItem") ? 1 : 0;
        String counted = Character.toUpperCase(operation.charAt(0)) + operation.substring(1);
        ParleyMetrics.dynamoDbRequest(counted, items);
        return countingErrors(counted, client, method, args);
      }
      return call(client, method, args);
    });
  }

  /** Calls {@code method}, counting its failure, thrown or (asynchronous calls) completing the future. */
  private static Object countingErrors(String operation, Object client, Method method, Object[] args) throws Exception {
    Object answer;
    try {
      answer = call(client, method, args);
    } catch (Exception failed) {
      DynamoDbFailures.NODE.failed(operation, failed);
      throw failed;
    }
    if (answer instanceof CompletionStage<?> pending) {
      pending.whenComplete((result, failure) -> {
        if (failure != null) {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          DynamoDbFailures.NODE.failed(operation, cause);
        }
      });
    }
    return answer;
  }

  /** Calls {@code method} on {@code target}, throwing what it throws rather than a wrapper. */
  static Object call(Object target, Method method, Object[] args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException thrown) {
      Throwable cause = thrown.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw (Error) cause;
    }
  }

  /** A {@code type} whose every call goes to {@code handler}. */
  static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
