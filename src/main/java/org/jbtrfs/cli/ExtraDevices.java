package org.jbtrfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** `--device`: the other devices of a multi-device filesystem, for commands that change it. */
final class ExtraDevices {
  @Option(names = "--device", description = "Another device of the same filesystem (repeatable).")
  List<Path> list = new ArrayList<>();
}
