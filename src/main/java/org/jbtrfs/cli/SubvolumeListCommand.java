package org.jbtrfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.fs.Filesystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `subvolume list [-pcguqRrst] PATH|IMAGE`: btrfs-progs' columns, order and spacing, so its users'
 * scripts read it. On a mount through the kernel's tree-search ioctl, on an image directly.
 */
@Command(name = "list", description = "List subvolumes and snapshots.")
final class SubvolumeListCommand implements Callable<Integer> {
  @Option(names = "-p", description = "Print the parent ID.")
  boolean parent;

  @Option(names = "-c", description = "Print the generation at creation (cgen).")
  boolean cgen;

  @Option(names = "-g", description = "Print the generation (always shown).")
  boolean gen;

  @Option(names = "-u", description = "Print the UUID.")
  boolean uuid;

  @Option(names = "-q", description = "Print the parent UUID.")
  boolean parentUuid;

  @Option(names = "-R", description = "Print the received UUID.")
  boolean receivedUuid;

  @Option(names = "-r", description = "Only read-only subvolumes.")
  boolean readOnly;

  @Option(names = "-s", description = "Only snapshots (with cgen and otime).")
  boolean snapshots;

  @Option(names = "-t", description = "Print as a table.")
  boolean table;

  @Parameters(index = "0", paramLabel = "PATH|IMAGE")
  Path target;

  @Mixin ExtraDevices devices;

  @Override
  public Integer call() throws Exception {
    List<SubvolumeInfo> all;
    if (Files.isDirectory(target)) {
      all = SubvolumeInfo.all(new LiveRootTree(target));
    } else {
      List<Path> paths = new ArrayList<>(List.of(target));
      paths.addAll(devices.list);
      try (Filesystem fs =
          Filesystem.open(
              paths, org.jbtrfs.fs.MountOptions.readOnlyDefaults().withNoLogReplay(true))) {
        all = SubvolumeInfo.all(new ImageRootTree(fs));
      }
    }
    List<Column> columns = columns();
    if (table) {
      StringBuilder head = new StringBuilder();
      StringBuilder bar = new StringBuilder();
      for (Column c : columns) {
        head.append(c.name).append('\t');
        bar.append("-".repeat(c.name.length())).append('\t');
      }
      System.out.println(head);
      System.out.println(bar);
    }
    for (SubvolumeInfo s : all) {
      if (readOnly && !s.isReadOnly()) continue;
      if (snapshots && s.keyOffset() == 0) continue;
      StringBuilder line = new StringBuilder();
      for (Column c : columns) {
        if (table) {
          line.append(c.value(s)).append(c == Column.PATH ? "" : "\t");
          if (c == Column.TOP_LEVEL) line.append('\t');
        } else {
          line.append(c.name).append(' ').append(c.value(s)).append(c == Column.PATH ? "" : " ");
        }
      }
      System.out.println(line);
    }
    return 0;
  }

  private List<Column> columns() {
    List<Column> out = new ArrayList<>();
    out.add(Column.ID);
    out.add(Column.GEN);
    if (cgen || snapshots) out.add(Column.CGEN);
    if (parent) out.add(Column.PARENT);
    out.add(Column.TOP_LEVEL);
    if (snapshots) out.add(Column.OTIME);
    if (parentUuid) out.add(Column.PARENT_UUID);
    if (receivedUuid) out.add(Column.RECEIVED_UUID);
    if (uuid) out.add(Column.UUID);
    out.add(Column.PATH);
    return out;
  }

  /** btrfs-progs' columns, in its order, with its names. */
  private enum Column {
    ID("ID"),
    GEN("gen"),
    CGEN("cgen"),
    PARENT("parent"),
    TOP_LEVEL("top level"),
    OTIME("otime"),
    PARENT_UUID("parent_uuid"),
    RECEIVED_UUID("received_uuid"),
    UUID("uuid"),
    PATH("path");

    final String name;

    Column(String name) {
      this.name = name;
    }

    String value(SubvolumeInfo s) {
      return switch (this) {
        case ID -> Long.toString(s.id());
        case GEN -> Long.toString(s.generation());
        case CGEN -> Long.toString(s.otransid());
        case PARENT, TOP_LEVEL -> Long.toString(s.parent());
        case OTIME -> SubvolumeTimes.format(s.otime(), false);
        case PARENT_UUID -> uuidColumn(s.parentUuid());
        case RECEIVED_UUID -> uuidColumn(s.receivedUuid());
        case UUID -> uuidColumn(s.uuid());
        case PATH -> s.path();
      };
    }

    private static String uuidColumn(byte[] u) {
      return String.format("%-36s", SubvolumeTimes.uuidOrDash(u));
    }
  }
}
