package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Files written, some fsynced, older ones deleted, in a directory of a mount until told to stop:
 * the changes and commits a background scrub or replace runs beside. {@code written} ends up with
 * the name and content of every file left.
 */
final class ChurnWorkload {
  private ChurnWorkload() {}

  static void run(
      Path work,
      Map<String, byte[]> written,
      AtomicBoolean stop,
      AtomicReference<Throwable> failed) {
    Random r = new Random(7);
    List<String> names = new ArrayList<>();
    try {
      for (int i = 0; !stop.get(); i++) {
        String name = "w" + i;
        byte[] data = new byte[4096 * (1 + r.nextInt(96))];
        r.nextBytes(data);
        Path p = work.resolve(name);
        if (r.nextInt(4) == 0) {
          try (FileChannel ch =
              FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data));
            ch.force(true);
          }
        } else {
          Files.write(p, data);
        }
        written.put(name, data);
        names.add(name);
        if (names.size() > 40) {
          String old = names.remove(r.nextInt(names.size()));
          Files.delete(work.resolve(old));
          written.remove(old);
        }
        Thread.sleep(5);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      failed.set(e);
    }
  }
}
