package org.jbtrfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `subvolume list [-pcguqRrstoad] PATH|IMAGE`: btrfs-progs' columns, order and spacing, so its
 * users' scripts read it. On a mount through the kernel's tree-search ioctl, on an image directly.
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

  @Option(names = "-o", description = "Only subvolumes directly below the path's subvolume.")
  boolean onlyBelow;

  @Option(names = "-a", description = "All, those outside the path's subvolume as <FS_TREE>/PATH.")
  boolean all;

  @Option(names = "-d", description = "Only deleted subvolumes not yet cleaned.")
  boolean deleted;

  @Parameters(index = "0", paramLabel = "PATH|IMAGE")
  Path target;

  @Mixin ExtraDevices devices;

  @Override
  public Integer call() throws Exception {
    List<SubvolumeInfo> found;
    // As btrfs-progs: paths relate to the subvolume the path is in (on an image: the top level).
    long top = ObjectIds.FS_TREE;
    if (Files.isDirectory(target)) {
      LiveRootTree src = new LiveRootTree(target);
      top = src.subvolumeOfPath();
      found = deleted ? SubvolumeInfo.deleted(src) : SubvolumeInfo.all(src);
    } else {
      List<Path> paths = new ArrayList<>(List.of(target));
      paths.addAll(devices.list);
      try (Filesystem fs =
          Filesystem.open(
              paths, org.jbtrfs.fs.MountOptions.readOnlyDefaults().withNoLogReplay(true))) {
        ImageRootTree src = new ImageRootTree(fs);
        found = deleted ? SubvolumeInfo.deleted(src) : SubvolumeInfo.all(src);
      }
    }
    List<SubvolumeInfo> shown = deleted ? found : shownPaths(found, top);
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
    for (SubvolumeInfo s : shown) {
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

  /**
   * btrfs-progs' paths: with -a, those not directly below the path's subvolume get "<FS_TREE>/";
   * with -o only those directly below it are listed; otherwise a subvolume inside the path's
   * subvolume shows its path from there, the others from the top level.
   */
  private List<SubvolumeInfo> shownPaths(List<SubvolumeInfo> found, long top) {
    String topPath = "";
    for (SubvolumeInfo s : found) if (s.id() == top) topPath = s.path() + "/";
    List<SubvolumeInfo> out = new ArrayList<>();
    for (SubvolumeInfo s : found) {
      if (all) {
        out.add(s.parent() == top ? s : s.withPath("<FS_TREE>/" + s.path()));
      } else if (onlyBelow) {
        if (s.parent() == top) out.add(s);
      } else if (!topPath.isEmpty() && s.path().startsWith(topPath)) {
        out.add(s.withPath(s.path().substring(topPath.length())));
      } else {
        out.add(s);
      }
    }
    return out;
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
