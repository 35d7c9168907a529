package org.jbtrfs.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/** Applies {@link InputTimeLimit} to each replayed input, and does nothing while fuzzing. */
final class RegressionTimeout implements InvocationInterceptor {
  @Override
  public void interceptTestTemplateMethod(
      Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> call,
      ExtensionContext context)
      throws Throwable {
    InputTimeLimit limit = call.getExecutable().getAnnotation(InputTimeLimit.class);
    if (limit == null || fuzzing()) {
      invocation.proceed();
      return;
    }
    assertTimeoutPreemptively(
        Duration.ofSeconds(limit.seconds()),
        () -> {
          invocation.proceed();
          return null;
        },
        () -> context.getDisplayName() + " ran over " + limit.seconds() + " s: a hang");
  }

  /** Jazzer's switch: JAZZER_FUZZ set to anything non-empty (or -Djazzer.fuzz=true). */
  private static boolean fuzzing() {
    String env = System.getenv("JAZZER_FUZZ");
    return (env != null && !env.isEmpty()) || Boolean.getBoolean("jazzer.fuzz");
  }
}
