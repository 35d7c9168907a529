package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.oracle.FsWalk;

/**
 * The whole read path on a damaged image: the fuzzer picks metadata blocks of the committed walk
 * image (or its superblock), offsets and values; the damaged blocks are re-checksummed, so the tree
 * checker and the decoders behind it, not the checksum, meet the damage; then the image is opened
 * read-only in this JVM (never by the kernel) and walked: every directory listed and looked up by
 * name, every inode, xattr and symlink read, every file read (FsWalk). Why: the checker's rules and
 * the readers are only as good as their weakest combination, which no single-block target sees.
 *
 * <p>Input: [u8 damage count] then per damage [u16 block (past the last one: the superblock)][u16
 * offset][u8 width 1, 2, 4 or 8][u64 value]. Zero damages walk the intact image.
 */
class MountWalkFuzzTest {
  /** Hundreds of checksum and corruption reports are the expected result here, not news. */
  private static final Logger QUIET = Logger.getLogger("org.jbtrfs");

  private static final int MAX_DAMAGES = 4;

  /** The intact image holds over 100 files and directories (scripts/make-fuzz-seeds). */
  private static final int INTACT_NODES = 100;

  private static Level levelBefore;

  /**
   * Damaged images log a warning per bad block: silenced for this class only, so tests that run
   * later in the same JVM and read the log (Raid56ChecksumRebuildTest) still see it.
   */
  @org.junit.jupiter.api.BeforeAll
  static void quiet() {
    levelBefore = QUIET.getLevel();
    QUIET.setLevel(Level.OFF);
  }

  @org.junit.jupiter.api.AfterAll
  static void loudAgain() {
    QUIET.setLevel(levelBefore);
  }

  /** The pristine image and a scratch copy the inputs damage (and get restored) in place. */
  private static final class Scratch {
    static final FuzzImage IMAGE = FuzzImage.committed();
    static final Path FILE = copy();

    private static Path copy() {
      try {
        Path p = Files.createTempFile("jbtrfs-fuzz-walk", ".img");
        p.toFile().deleteOnExit();
        Files.write(p, IMAGE.bytes);
        return p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @InputTimeLimit(seconds = 30)
  @FuzzTest(maxDuration = "5m")
  void openAndWalk(byte[] input) throws IOException {
    FuzzImage img = Scratch.IMAGE;
    InputReader in = new InputReader(input);
    int damages = in.u8() % (MAX_DAMAGES + 1);
    try (RandomAccessFile f = new RandomAccessFile(Scratch.FILE.toFile(), "rw")) {
      long[] touched = new long[damages];
      int[] sizes = new int[damages];
      for (int i = 0; i < damages; i++) {
        int which = in.u16() % (img.treeBlocks.size() + 1);
        boolean sb = which == img.treeBlocks.size();
        touched[i] = sb ? Superblock.MIRROR_OFFSETS[0] : img.treeBlocks.get(which);
        sizes[i] = sb ? Superblock.SIZE : img.nodeSize();
        damage(f, touched[i], sizes[i], in);
      }
      try {
        FsWalk w = walk();
        if (damages == 0 && (w == null || w.ioErrors != 0 || w.nodes < INTACT_NODES)) {
          // The intact image must open and walk clean, or every damaged run proves nothing.
          throw new AssertionError("the intact walk image does not walk clean: " + describe(w));
        }
      } finally {
        for (int i = 0; i < damages; i++) {
          f.seek(touched[i]);
          f.write(img.bytes, (int) touched[i], sizes[i]);
        }
      }
    }
  }

  /** Writes one value into the block at {@code at} and re-checksums it. */
  private static void damage(RandomAccessFile f, long at, int size, InputReader in)
      throws IOException {
    byte[] b = new byte[size];
    f.seek(at);
    f.readFully(b);
    int width = 1 << (in.u8() % 4);
    // Past the checksum: damaging the checksum itself only tests the checksum.
    int off = Superblock.CSUM_SIZE + in.u16() % (size - Superblock.CSUM_SIZE - width + 1);
    long value = in.u64();
    for (int k = 0; k < width; k++) b[off + k] = (byte) (value >>> (8 * k));
    FuzzImage.rechecksum(Scratch.IMAGE.csum(), b, 0, size);
    f.seek(at);
    f.write(b);
  }

  /**
   * Opens read-only and walks; refusal to open (null) and I/O errors on entries are clean outcomes.
   */
  private static FsWalk walk() {
    try (Filesystem fs = Filesystem.open(List.of(Scratch.FILE), MountOptions.readOnlyDefaults())) {
      FsWalk w = FsWalk.of(fs);
      Sink.keep(w.nodes + w.bytesRead);
      return w;
    } catch (IOException refused) {
      return null; // the damage was found and named
    }
  }

  private static String describe(FsWalk w) {
    return w == null ? "open refused" : w.nodes + " nodes, errors " + w.errors;
  }
}
