package org.jbtrfs.fuzz;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How long one input may take when the corpus is replayed (plain `mvn test`); longer is a hang and
 * fails the input. Not JUnit's @Timeout: that would also cut short a whole fuzzing run, which is a
 * single invocation; when fuzzing, libFuzzer's -timeout (scripts/fuzz) limits each input instead.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RegressionTimeout.class)
@interface InputTimeLimit {
  int seconds();
}
