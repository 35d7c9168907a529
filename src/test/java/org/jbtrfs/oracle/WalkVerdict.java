package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a driver makes of one image, in the terms of scripts/lib/hostile_walk.py: refused at mount,
 * mounted with these failed operations ("op:ERRNO:path"), or readable. The kernel's verdicts come
 * from src/test/resources/kernel-verdicts.tsv (scripts/record-kernel-verdicts), jbtrfs's from
 * HostileImageWalkTest's own walk; the details (why a mount was refused) are for people, never
 * compared, since each driver words its refusal its own way.
 */
record WalkVerdict(Kind kind, int entries, SortedSet<String> errors, String details) {
  enum Kind {
    MOUNT_REFUSED("mount-refused"),
    ERRORS("errors"),
    READABLE("readable"),
    KERNEL_OOPS("kernel-oops"),
    HANG("hang");

    final String word;

    Kind(String word) {
      this.word = word;
    }

    static Kind of(String word) {
      for (Kind k : values()) if (k.word.equals(word)) return k;
      throw new IllegalArgumentException("unknown verdict " + word);
    }
  }

  private static final String SEPARATOR = " | ";

  static WalkVerdict refused(String why) {
    return new WalkVerdict(Kind.MOUNT_REFUSED, -1, new TreeSet<>(), why);
  }

  /** A row of a verdict table: image, verdict, entries ("-" when not mounted), details. */
  static WalkVerdict ofRow(String[] cols) {
    Kind kind = Kind.of(cols[1]);
    int entries = cols[2].equals("-") ? -1 : Integer.parseInt(cols[2]);
    String details = cols.length > 3 ? cols[3] : "";
    SortedSet<String> errors = new TreeSet<>();
    if (kind == Kind.ERRORS) errors.addAll(Arrays.asList(details.split(" \\| ")));
    return new WalkVerdict(kind, entries, errors, kind == Kind.ERRORS ? "" : details);
  }

  /**
   * The walker's output: "error OP ERRNO PATH", "timeout OP PATH" (the walk stopped: a hang), and
   * "done ENTRIES" when it finished.
   */
  static WalkVerdict ofWalk(String output) {
    SortedSet<String> errors = new TreeSet<>();
    int entries = -1;
    String timeout = null;
    for (String line : output.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "error" -> errors.add(f[1] + ":" + f[2] + ":" + f[3]);
        case "timeout" -> timeout = f[1] + " " + f[2];
        case "done" -> entries = Integer.parseInt(f[1]);
        default -> {}
      }
    }
    if (timeout != null)
      return new WalkVerdict(Kind.HANG, entries, errors, "operation timed out: " + timeout);
    if (entries < 0)
      return new WalkVerdict(Kind.HANG, entries, errors, "the walk did not finish:\n" + output);
    return new WalkVerdict(errors.isEmpty() ? Kind.READABLE : Kind.ERRORS, entries, errors, "");
  }

  /** One line for a report: the kind, what was walked, the first errors or the refusal. */
  String summary() {
    return switch (kind) {
      case MOUNT_REFUSED, KERNEL_OOPS, HANG -> kind.word + " (" + firstLine(details) + ")";
      case READABLE -> kind.word + ", " + entries + " entries";
      case ERRORS -> kind.word + ", " + entries + " entries: " + firstFew(errors);
    };
  }

  /**
   * How {@code other} (jbtrfs) differs from this verdict (the kernel's), or empty when they agree:
   * the same kind, the same failed operations, the same number of entries walked.
   */
  Optional<String> disagreement(WalkVerdict other) {
    if (kind != other.kind)
      return Optional.of("kernel " + summary() + "; jbtrfs " + other.summary());
    if (kind == Kind.MOUNT_REFUSED || kind == Kind.KERNEL_OOPS) return Optional.empty();
    List<String> parts = new ArrayList<>();
    SortedSet<String> onlyKernel = new TreeSet<>(errors);
    onlyKernel.removeAll(other.errors);
    SortedSet<String> onlyJbtrfs = new TreeSet<>(other.errors);
    onlyJbtrfs.removeAll(errors);
    if (!onlyKernel.isEmpty()) parts.add("only the kernel failed " + firstFew(onlyKernel));
    if (!onlyJbtrfs.isEmpty()) parts.add("only jbtrfs failed " + firstFew(onlyJbtrfs));
    if (entries != other.entries)
      parts.add("walked " + other.entries + " entries, the kernel " + entries);
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts));
  }

  private static String firstFew(SortedSet<String> errors) {
    List<String> few = errors.stream().limit(4).toList();
    String more =
        errors.size() > few.size() ? " and " + (errors.size() - few.size()) + " more" : "";
    return String.join(SEPARATOR, few) + more;
  }

  private static String firstLine(String s) {
    String line = s.strip();
    int nl = line.indexOf('\n');
    line = nl < 0 ? line : line.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
