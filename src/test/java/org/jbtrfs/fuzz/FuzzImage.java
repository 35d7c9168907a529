package org.jbtrfs.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.TreeHeader;

/**
 * The tiny image the mount + walk target mutates (made offline by scripts/make-fuzz-seeds and
 * committed as walk.img.xz), and where its tree blocks are. Blocks are found by scanning, not by
 * walking the trees, so blocks the walk would refuse to reach are still candidates for damage.
 */
final class FuzzImage {
  static final String RESOURCE = "walk.img.xz";

  final byte[] bytes;
  final Superblock superblock;

  /** Physical offsets of every tree block: its fsid, a level below 8 and a good checksum. */
  final List<Long> treeBlocks;

  private FuzzImage(byte[] bytes) throws FormatException {
    this.bytes = bytes;
    long sbOff = Superblock.MIRROR_OFFSETS[0];
    this.superblock =
        Superblock.parse(
            Arrays.copyOfRange(bytes, (int) sbOff, (int) sbOff + Superblock.SIZE), sbOff);
    this.treeBlocks = scan();
  }

  /** The committed image, decompressed with the system's xz (as DemoImageTest does). */
  static FuzzImage committed() {
    try (InputStream in = FuzzImage.class.getResourceAsStream(RESOURCE)) {
      if (in == null)
        throw new IllegalStateException(RESOURCE + " missing from the test resources");
      Process xz = new ProcessBuilder("xz", "-d", "-c").start();
      Thread feeder =
          new Thread(
              () -> {
                try (var out = xz.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      feeder.start();
      byte[] img = xz.getInputStream().readAllBytes();
      feeder.join();
      if (xz.waitFor() != 0) throw new IOException("xz -d failed on " + RESOURCE);
      return new FuzzImage(img);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An image file on disk, for the seed writer. */
  static FuzzImage of(Path img) throws IOException {
    return new FuzzImage(Files.readAllBytes(img));
  }

  int nodeSize() {
    return superblock.nodeSize();
  }

  ChecksumType csum() {
    return superblock.checksumType();
  }

  private List<Long> scan() {
    int node = nodeSize();
    byte[] fsid = superblock.metadataUuid();
    List<Long> out = new ArrayList<>();
    for (long off = 0; off + node <= bytes.length; off += node) {
      int o = (int) off;
      if (off == Superblock.MIRROR_OFFSETS[0]) continue; // same fsid, and its checksum is good
      if (!Arrays.equals(bytes, o + TreeHeader.FSID, o + TreeHeader.FSID + 16, fsid, 0, 16))
        continue;
      if (Le.u8(bytes, o + TreeHeader.LEVEL) >= TreeHeader.MAX_LEVEL) continue;
      if (!csum().verify(bytes, o + Superblock.CSUM_SIZE, node - Superblock.CSUM_SIZE, bytes, o)) {
        continue;
      }
      out.add(off);
    }
    return out;
  }

  /**
   * Rewrites the checksum of the {@code size} bytes at {@code off} of {@code b}, as a valid copy.
   */
  static void rechecksum(ChecksumType csum, byte[] b, int off, int size) {
    csum.compute(b, off + Superblock.CSUM_SIZE, size - Superblock.CSUM_SIZE, b, off);
  }
}
