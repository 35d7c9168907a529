package org.jbtrfs.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Lists the items of one tree (default: the root tree), decoded by {@link ItemPrinter}. */
@Command(name = "dump-tree", description = "Print the items of a tree.")
final class DumpTreeCommand implements Callable<Integer> {
  @Mixin ImageArgs image;

  @Option(
      names = {"-t", "--tree"},
      description = "Tree id: root, chunk, extent, dev, fs, csum, or a number.")
  String tree = "root";

  @Override
  public Integer call() throws Exception {
    try (Filesystem fs = image.openForInspection()) {
      Tree t = resolve(fs, tree);
      if (t == null) {
        System.err.println("tree " + tree + " does not exist");
        return 1;
      }
      PrintStream out = System.out;
      for (Cursor c = t.seekCeil(Key.MIN); c.valid(); c.next()) {
        out.println("item key " + c.key() + " itemsize " + c.dataSize());
        String detail = ItemPrinter.describe(c.type(), c.raw(), c.dataOffset(), c.dataSize());
        if (!detail.isEmpty()) out.println("\t" + detail);
      }
    }
    return 0;
  }

  private static Tree resolve(Filesystem fs, String name) throws Exception {
    return switch (name) {
      case "root" -> fs.rootTree();
      case "chunk" ->
          new Tree(
              fs.metadata(),
              fs.superblock().chunkRootBytenr(),
              fs.superblock().chunkRootLevel(),
              fs.superblock().chunkRootGeneration());
      case "extent" -> fs.treeOf(ObjectIds.EXTENT_TREE);
      case "dev" -> fs.treeOf(ObjectIds.DEV_TREE);
      case "fs" -> fs.treeOf(ObjectIds.FS_TREE);
      case "csum" -> fs.treeOf(ObjectIds.CSUM_TREE);
      case "free-space" -> fs.treeOf(ObjectIds.FREE_SPACE_TREE);
      default -> fs.treeOf(Long.parseUnsignedLong(name));
    };
  }
}
