package org.jbtrfs.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.compress.Compressor;
import org.jbtrfs.tree.TreeBlock;

/**
 * Writes the seed inputs of the fuzz targets (files named seed-*) from an image made by
 * scripts/make-fuzz-seeds, each into the directory Jazzer replays for its target: {@code
 * <resources>/<Target>Inputs/<method>/}. Run by that script only; the seeds are committed.
 */
public final class SeedWriter {
  private final Path res;

  private SeedWriter(Path res) {
    this.res = res;
  }

  public static void main(String[] args) throws IOException {
    FuzzImage img = FuzzImage.of(Path.of(args[0]));
    SeedWriter w = new SeedWriter(Path.of(args[1]));
    w.superblock(img);
    w.treeBlocks(img);
    w.chunkMap(img);
    w.codecs();
    w.names();
    w.walk();
  }

  private void write(String target, String method, String name, byte[] bytes) throws IOException {
    Path dir = res.resolve(target + "Inputs").resolve(method);
    Files.createDirectories(dir);
    Files.write(dir.resolve("seed-" + name), bytes);
  }

  private void superblock(FuzzImage img) throws IOException {
    write("SuperblockFuzzTest", "parseAndBootstrap", "walk-image", img.superblock.raw());
  }

  private void treeBlocks(FuzzImage img) throws IOException {
    for (long off : img.treeBlocks) {
      TreeBlock b = block(img, off);
      String name = "owner" + b.owner() + "-level" + b.level() + "-at" + off;
      write("TreeBlockFuzzTest", "readAndDecode", name, b.raw());
    }
  }

  /** The image's system chunk array, every chunk item of its chunk tree, and a probe per chunk. */
  private void chunkMap(FuzzImage img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] array = img.superblock.sysChunkArray();
    le(out, array.length, 2);
    out.write(array);
    ByteArrayOutputStream probes = new ByteArrayOutputStream();
    for (long off : img.treeBlocks) {
      TreeBlock b = block(img, off);
      if (b.owner() != ObjectIds.CHUNK_TREE || !b.isLeaf()) continue;
      for (int i = 0; i < b.nritems(); i++) {
        if (b.keyType(i) != ItemType.CHUNK_ITEM) continue;
        le(out, b.itemDataSize(i), 2);
        le(out, b.keyOffsetField(i), 8);
        out.write(b.raw(), b.itemDataOffset(i), b.itemDataSize(i));
        le(probes, b.keyOffsetField(i) + 4096, 8);
        le(probes, 4095, 2);
        le(probes, 0, 1);
      }
    }
    le(out, 0, 2);
    out.write(probes.toByteArray());
    write("ChunkMapFuzzTest", "buildAndMap", "walk-image", out.toByteArray());
  }

  /** A valid frame of each codec: one small, one of several LZO segments and a zstd window. */
  private void codecs() throws IOException {
    byte[] text =
        ("btrfs compresses extents of up to 128 KiB; ".repeat(40))
            .getBytes(StandardCharsets.US_ASCII);
    byte[] big = new byte[3 * 4096 + 100];
    for (int i = 0; i < big.length; i++) big[i] = (byte) ((i * 7) ^ (i >> 5));
    CompressionType[] codecs = {CompressionType.ZLIB, CompressionType.LZO, CompressionType.ZSTD};
    for (int c = 0; c < codecs.length; c++) {
      for (byte[] data : new byte[][] {text, big}) {
        byte[] frame = Compressor.compress(codecs[c], 0, data, 0, data.length, 4096);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        le(out, c, 1);
        le(out, 0, 1);
        le(out, data.length, 4);
        out.write(frame);
        String name = codecs[c].name().toLowerCase() + "-" + data.length;
        write("DecompressFuzzTest", "decompress", name, out.toByteArray());
      }
      ByteArrayOutputStream rt = new ByteArrayOutputStream();
      le(rt, c, 1);
      le(rt, 3, 1);
      rt.write(text);
      write("DecompressFuzzTest", "roundTrip", codecs[c].name().toLowerCase(), rt.toByteArray());
    }
  }

  private void names() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[][] names = {
      "a".getBytes(StandardCharsets.US_ASCII),
      "file.txt".getBytes(StandardCharsets.US_ASCII),
      "n".repeat(255).getBytes(StandardCharsets.US_ASCII),
      "\u00e9t\u00e9".getBytes(StandardCharsets.UTF_8)
    };
    le(out, names.length, 1);
    for (byte[] n : names) {
      le(out, n.length - 1, 1);
      out.write(n);
    }
    le(out, 0, 1);
    out.write("missing".getBytes(StandardCharsets.US_ASCII));
    write("NameHashFuzzTest", "lookup", "four-names", out.toByteArray());
  }

  /** The intact image, and one damage of an item count and one of the superblock's root level. */
  private void walk() throws IOException {
    write("MountWalkFuzzTest", "openAndWalk", "intact", new byte[] {0});
    ByteArrayOutputStream nritems = new ByteArrayOutputStream();
    le(nritems, 1, 1);
    le(nritems, 0, 2);
    le(nritems, TreeHeader.NRITEMS - Superblock.CSUM_SIZE, 2);
    le(nritems, 2, 1);
    le(nritems, 0xffff, 8);
    write("MountWalkFuzzTest", "openAndWalk", "nritems", nritems.toByteArray());
  }

  private static TreeBlock block(FuzzImage img, long off) {
    return new TreeBlock(off, Arrays.copyOfRange(img.bytes, (int) off, (int) off + img.nodeSize()));
  }

  private static void le(ByteArrayOutputStream out, long v, int width) {
    byte[] b = new byte[8];
    Le.put64(b, 0, v);
    out.write(b, 0, width);
  }
}
