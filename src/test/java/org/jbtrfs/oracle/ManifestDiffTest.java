package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Manifest diffing and tool-output parsing, without any filesystem. */
class ManifestDiffTest {
  private static Manifest sample() {
    Manifest m = new Manifest();
    m.put(".", "type", "dir");
    m.put("a", "type", "file");
    m.put("a", "sha256", "00");
    m.put("a", "atime", "1.000000000");
    m.put("a", "xattr:user.x", "31");
    m.put("b c", "type", "symlink");
    m.put("b c", "target", "a");
    return m;
  }

  @Test
  void identicalManifestsHaveNoDifferences() {
    assertThat(Manifest.diff(sample(), sample(), Set.of())).isEmpty();
  }

  @Test
  void changedFieldIsReportedWithPathAndValues() {
    List<String> d = Manifest.diff(sample(), sample().with("a", "sha256", "ff"), Set.of());
    assertThat(d).containsExactly("\"a\": sha256 expected \"00\" but was \"ff\"");
  }

  @Test
  void missingAndUnexpectedPathsAndFieldsAreReported() {
    Manifest actual = sample().with("a", "xattr:user.x", null).with("new", "type", "fifo");
    Manifest expected = sample().with("gone", "type", "dir");
    assertThat(Manifest.diff(expected, actual, Set.of()))
        .containsExactly(
            "\"a\": xattr:user.x expected \"31\" but was (absent)",
            "\"gone\": missing (expected dir)",
            "\"new\": unexpected fifo");
  }

  @Test
  void ignoredFieldsAndNamespacesAreSkipped() {
    Manifest actual = sample().with("a", "atime", "2.000000000").with("a", "xattr:user.x", "32");
    assertThat(Manifest.diff(sample(), actual, Set.of("atime", "xattr"))).isEmpty();
    assertThat(Manifest.diff(sample(), actual, Set.of("atime"))).hasSize(1);
  }

  @Test
  void readErrorsAlwaysCount() {
    Manifest actual = sample();
    actual.error("stat: cannot stat 'a': Input/output error");
    assertThat(Manifest.diff(sample(), actual, Set.of("type")))
        .singleElement()
        .asString()
        .contains("Input/output error");
  }

  @Test
  void reportShowsTotalAndFirstLines() {
    List<String> many = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "d" + i).toList();
    String r = Manifest.report(many, 50);
    assertThat(r).startsWith("60 difference(s), first 50:").contains("d49").doesNotContain("d50");
  }

  @Test
  void controlCharactersInPathsAreVisible() {
    assertThat(Manifest.quote("a\tb\u0001\"")).isEqualTo("\"a\\x09b\\x01\\\"\"");
  }

  @Test
  void timesKeepNanosecondsAndSign() {
    assertThat(ManifestReader.time("1", "1970-01-01 00:00:01.000000001 +0000"))
        .isEqualTo("1.000000001");
    assertThat(ManifestReader.time("-1", "1969-12-31 23:59:59.500000000 +0000"))
        .isEqualTo("-1.500000000");
    assertThat(ManifestReader.time("7", "1970-01-01 00:00:07 +0000")).isEqualTo("7.000000000");
  }

  @Test
  void getfattrOctalEscapesRoundTripUnicode() {
    assertThat(ManifestReader.unescapeOctal("/m/a\\134b\\012c-日本-🙂"))
        .isEqualTo("/m/a\\b\nc-日本-🙂");
  }

  @Test
  void nulSplittingDecodesUtf8() {
    byte[] data = "x\0Grüße\0".getBytes(StandardCharsets.UTF_8);
    assertThat(ManifestReader.splitNul(data)).containsExactly("x", "Grüße");
  }
}
