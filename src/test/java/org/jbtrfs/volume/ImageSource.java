package org.jbtrfs.volume;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** BlockSource over image files keyed by devid; devices can be hidden to simulate loss. */
final class ImageSource implements BlockSource, Closeable {
  private final Map<Long, RandomAccessFile> files = new HashMap<>();
  final Set<Long> hidden = new HashSet<>();

  void add(long devid, Path image) throws IOException {
    files.put(devid, new RandomAccessFile(image.toFile(), "r"));
  }

  @Override
  public boolean present(long devid) {
    return files.containsKey(devid) && !hidden.contains(devid);
  }

  @Override
  public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    if (!present(devid)) {
      // Reaching here means the reader ignored present(): fail loudly.
      throw new IOException("read from hidden/unknown device " + devid);
    }
    RandomAccessFile f = files.get(devid);
    f.seek(physical);
    f.readFully(buf, off, len);
  }

  @Override
  public void close() throws IOException {
    for (RandomAccessFile f : files.values()) {
      f.close();
    }
  }
}
