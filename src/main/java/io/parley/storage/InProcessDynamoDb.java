package io.parley.storage;

import com.amazonaws.AmazonWebServiceRequest;
import com.amazonaws.handlers.AsyncHandler;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The embedded store, called from this JVM without HTTP. Through its HTTP door every request is
 * marshalled to JSON by the SDK, sent over a socket, parsed and answered the same way back, with a
 * hand-off between threads at each end; the store's in-process client skips all of that on the
 * same database, so everything else (the HTTP door for tools and other nodes included) sees the
 * same data.
 *
 * <p>Clients find the in-process client by the endpoint the configuration names, so nothing
 * changes for a node that uses a DynamoDB of another process. Requests are counted here, as
 * {@link DynamoDbRequestCounter} counts those that leave through the SDK.
 */
public final class InProcessDynamoDb {
  private static final Map<String, AmazonDynamoDB> BY_ENDPOINT = new ConcurrentHashMap<>();

  /**
   * Runs the asynchronous calls. The store does the work of a call on the calling thread and then
   * waits for its writer's group commit, so a few threads keep that writer busy.
   */
  private static final ExecutorService CALLS = Executors.newFixedThreadPool(4, new DaemonThreads("dynamodb-in-process"));

  private InProcessDynamoDb() {}

  static void register(String endpoint, AmazonDynamoDB client) {
    BY_ENDPOINT.put(endpoint, counting(client));
  }

  static void unregister(String endpoint) {
    BY_ENDPOINT.remove(endpoint);
  }

  /** The in-process client of the store at {@code endpoint}, if this JVM runs it. */
  static Optional<AmazonDynamoDB> at(String endpoint) {
    return Optional.ofNullable(BY_ENDPOINT.get(endpoint));
  }

  /** What the client interface has besides requests. */
  private static final Set<String> NOT_REQUESTS = Set.of("setEndpoint", "setRegion",
      "getCachedResponseMetadata", "waiters");

  /**
   * {@code client}, with every request counted (a convenience overload too, such as
   * {@code putItem(table, item)}). Its shutdown does nothing: the persistence plugins shut their
   * client down when they stop, which must not close the store for everyone (its HTTP door, and the
   * next actor system of this JVM); {@link EmbeddedDynamoDb} closes it.
   */
  private static AmazonDynamoDB counting(AmazonDynamoDB client) {
    return proxy(AmazonDynamoDB.class, (self, method, args) -> {
      String name = method.getName();
      if (name.equals("shutdown")) {
        return null;
      }
      if (method.getDeclaringClass() == AmazonDynamoDB.class && !NOT_REQUESTS.contains(name)) {
        int items = args != null && args[0] instanceof AmazonWebServiceRequest request
            ? DynamoDbRequestCounter.itemsWritten(request)
            : name.equals("putItem") ? 1 : 0;
        ParleyMetrics.dynamoDbRequest(Character.toUpperCase(name.charAt(0)) + name.substring(1), items);
      }
      return call(client, method, args);
    });
  }

  /**
   * {@code client} as the SDK's asynchronous interface: each {@code xAsync} call runs {@code x}
   * on {@link #CALLS} and answers its handler (if any), then its future, as the SDK's client does.
   */
  static AmazonDynamoDBAsync async(AmazonDynamoDB client) {
    return proxy(AmazonDynamoDBAsync.class, (self, method, args) -> {
      String name = method.getName();
      if (!name.endsWith("Async") || method.getDeclaringClass() != AmazonDynamoDBAsync.class) {
        return call(client, method, args);
      }
      if (!(args[0] instanceof AmazonWebServiceRequest)) {
        throw new UnsupportedOperationException(name + " in-process takes a request object");
      }
      Method sync = SYNC_OF.computeIfAbsent(method, InProcessDynamoDb::syncOf);
      AmazonWebServiceRequest request = (AmazonWebServiceRequest) args[0];
      @SuppressWarnings("unchecked")
      AsyncHandler<AmazonWebServiceRequest, Object> handler =
          args.length > 1 ? (AsyncHandler<AmazonWebServiceRequest, Object>) args[1] : null;
      CompletableFuture<Object> result = new CompletableFuture<>();
      CALLS.execute(() -> {
        Object answer;
        try {
          answer = call(client, sync, new Object[] {request});
        } catch (Exception failure) {
          if (handler != null) {
            handler.onError(failure);
          }
          result.completeExceptionally(failure);
          return;
        } catch (Throwable fatal) {
          result.completeExceptionally(fatal);
          throw fatal;
        }
        if (handler != null) {
          handler.onSuccess(request, answer);
        }
        result.complete(answer);
      });
      return result;
    });
  }

  /** Each asynchronous method's synchronous twin, looked up once rather than on every call. */
  private static final Map<Method, Method> SYNC_OF = new ConcurrentHashMap<>();

  private static Method syncOf(Method async) {
    String name = async.getName();
    try {
      return AmazonDynamoDB.class.getMethod(name.substring(0, name.length() - "Async".length()),
          async.getParameterTypes()[0]);
    } catch (NoSuchMethodException none) {
      throw new UnsupportedOperationException(name + " has no synchronous twin", none);
    }
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
