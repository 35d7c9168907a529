package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `subvolume show PATH` on a mount, `subvolume show IMAGE PATH` on an image: btrfs-progs' text,
 * line for line, and the snapshots made of the subvolume.
 */
@Command(name = "show", description = "Show details of a subvolume.")
final class SubvolumeShowCommand implements Callable<Integer> {
  @Parameters(arity = "1..2", paramLabel = "PATH | IMAGE PATH")
  List<String> args;

  @Mixin ExtraDevices devices;

  @Override
  public Integer call() throws Exception {
    Path first = Path.of(args.get(0));
    if (Files.isDirectory(first) && args.size() == 1) {
      SubvolumeCreateCommands.requireSubvolume(first.toAbsolutePath().normalize());
      LiveRootTree src = new LiveRootTree(first);
      print(src, src.subvolumeOfPath());
      return 0;
    }
    if (args.size() != 2) throw new IOException("usage: subvolume show PATH | IMAGE PATH");
    List<Path> paths = new ArrayList<>(List.of(first));
    paths.addAll(devices.list);
    try (Filesystem fs =
        Filesystem.open(
            paths, org.jbtrfs.fs.MountOptions.readOnlyDefaults().withNoLogReplay(true))) {
      long top = fs.defaultSubvolumeId();
      Node root = new Node(fs.subvolume(top), fs.subvolume(top).rootDirIno());
      Node n = new PathResolver(fs, root).resolve(args.get(1));
      if (n == null) throw new java.io.FileNotFoundException("cannot access '" + args.get(1) + "'");
      if (!n.isSubvolumeTop()) throw new IOException("not a subvolume: " + args.get(1));
      print(new ImageRootTree(fs), n.subvolume().id());
    }
    return 0;
  }

  private static void print(RootTreeSource src, long id) throws IOException {
    List<SubvolumeInfo> all = SubvolumeInfo.all(src);
    SubvolumeInfo s =
        id == ObjectIds.FS_TREE
            ? SubvolumeInfo.topLevel(src)
            : all.stream()
                .filter(x -> x.id() == id)
                .findFirst()
                .orElseThrow(() -> new IOException("subvolume " + id + " not found"));
    String created = SubvolumeTimes.format(s.otime(), true);
    StringBuilder b = new StringBuilder();
    b.append(id == ObjectIds.FS_TREE ? "/" : s.path()).append('\n');
    b.append("\tName: \t\t\t").append(s.name()).append('\n');
    b.append("\tUUID: \t\t\t").append(SubvolumeTimes.uuidOrDash(s.uuid())).append('\n');
    b.append("\tParent UUID: \t\t").append(SubvolumeTimes.uuidOrDash(s.parentUuid())).append('\n');
    b.append("\tReceived UUID: \t\t")
        .append(SubvolumeTimes.uuidOrDash(s.receivedUuid()))
        .append('\n');
    b.append("\tCreation time: \t\t").append(created).append('\n');
    b.append("\tSubvolume ID: \t\t").append(id).append('\n');
    b.append("\tGeneration: \t\t").append(s.generation()).append('\n');
    b.append("\tGen at creation: \t").append(s.otransid()).append('\n');
    b.append("\tParent ID: \t\t").append(s.parent()).append('\n');
    b.append("\tTop level ID: \t\t").append(s.parent()).append('\n');
    b.append("\tFlags: \t\t\t").append(s.isReadOnly() ? "readonly" : "-").append('\n');
    b.append("\tSend transid: \t\t").append(s.stransid()).append('\n');
    // btrfs-progs prints the creation time here (its send time is never shown): the same text.
    b.append("\tSend time: \t\t").append(created).append('\n');
    b.append("\tReceive transid: \t").append(s.rtransid()).append('\n');
    b.append("\tReceive time: \t\t").append(SubvolumeTimes.format(s.rtime(), true)).append('\n');
    b.append("\tSnapshot(s):\n");
    for (SubvolumeInfo other : preOrder(all)) {
      if (Arrays.equals(other.parentUuid(), s.uuid())) {
        b.append("\t\t\t\t").append(other.path()).append('\n');
      }
    }
    System.out.print(b);
  }

  /** Subvolumes as btrfs-progs iterates them: depth first from the top, children by id. */
  private static List<SubvolumeInfo> preOrder(List<SubvolumeInfo> all) {
    List<SubvolumeInfo> out = new ArrayList<>();
    visit(ObjectIds.FS_TREE, all, out, 0);
    return out;
  }

  private static void visit(
      long parent, List<SubvolumeInfo> all, List<SubvolumeInfo> out, int depth) {
    if (depth > 4096) return;
    all.stream()
        .filter(s -> s.parent() == parent)
        .sorted(Comparator.comparingLong(SubvolumeInfo::id))
        .forEach(
            s -> {
              out.add(s);
              visit(s.id(), all, out, depth + 1);
            });
  }
}
