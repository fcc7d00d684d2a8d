package io.parley.store.conformance;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs each {@link ConformanceTest} once per target, handing it a {@link Sandbox}. Each target is
 * started once per test run (kept in the root store, closed when the run ends); each sandbox is
 * closed, its tables deleted, when its test ends.
 */
final class ConformanceTargets implements TestTemplateInvocationContextProvider {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ConformanceTargets.class);

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return true;
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
    return Targets.all().stream().map(Invocation::new);
  }

  /** The target of this kind, started on first use and shared by the whole run. */
  static Target started(ExtensionContext context, Targets.Kind kind) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(kind.name(), name -> kind.start().get(), Target.class);
  }

  private record Invocation(Targets.Kind kind) implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return kind.name();
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new ParameterResolver() {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
          return parameter.getParameter().getType() == Sandbox.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
          Sandbox sandbox = new Sandbox(started(context, kind));
          context.getStore(NAMESPACE).put(Sandbox.class, sandbox);
          return sandbox;
        }
      });
    }
  }
}
