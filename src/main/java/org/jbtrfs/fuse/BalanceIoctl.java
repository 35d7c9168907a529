package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.jbtrfs.relocation.Balance;
import org.jbtrfs.relocation.BalanceFilters;

/**
 * `balance start -d` on the live mount: jbtrfs's own ioctl _IOWR('j', 9, 4096 bytes). In: u64 flags
 * (bit 0: data given), then the data filters as `-d` takes them, NUL-terminated. Out: u64 chunks
 * considered, groups relocated, bytes moved. It returns when the balance is done, as `btrfs balance
 * start` does; each group is moved in commits of its own under the write lock, so requests wait
 * while one group moves and go on between groups. Root only. Errors: EROFS on a read-only mount,
 * EBUSY while a scrub, replace or another balance runs, EINVAL for filters that do not parse,
 * ENOSPC when the next extent has no room (everything before it moved), EOPNOTSUPP for what jbtrfs
 * cannot balance yet.
 */
final class BalanceIoctl {
  private static final Logger LOG = Logger.getLogger(BalanceIoctl.class.getName());

  static final int START = 0xd0006a09;
  private static final int SIZE = 4096;

  /** Bytes of each type's filter text: data, metadata, system, after the flags. */
  private static final int FIELD = 1360;

  /**
   * Metadata reserved for each step's change before it starts. What a step's copies really need is
   * checked against the free metadata by Balance.ensureRoom; this keeps the accounting of
   * concurrent changes honest, and is small enough (2 MiB at 16 KiB nodes) to be borrowed from the
   * global reserve when the filesystem is full, which is when a balance is run.
   */
  private static final int STEP_ITEMS = 8;

  private final FuseFs f;

  BalanceIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize, int outSize) {
    if (inSize < SIZE || outSize < SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    if (f.rw == null) return -Errno.EROFS;
    long flags = req.u64(FuseProtocol.IOCTL_IN_DATA);
    BalanceFilters[] filters = new BalanceFilters[3];
    try {
      for (int i = 0; i < 3; i++) {
        if ((flags & (1L << i)) == 0) continue;
        byte[] text = req.terminated(FuseProtocol.IOCTL_IN_DATA + 8 + i * FIELD, FIELD);
        if (text == null) return -Errno.EINVAL;
        filters[i] = BalanceFilters.parse(new String(text, StandardCharsets.UTF_8));
      }
    } catch (IllegalArgumentException e) {
      LOG.warning("balance refused: " + e.getMessage());
      return -Errno.EINVAL;
    }
    Balance.Request request =
        new Balance.Request(filters[0], filters[1], filters[2], (flags & 8) != 0);
    return asBalance(
        f,
        "balance",
        steps -> {
          Balance.Result r = Balance.run(steps, request, f.balance);
          out.ioctlDone()
              .u64(r.considered())
              .u64(r.relocated())
              .u64(r.bytesMoved())
              .zeros(SIZE - 24);
          return 0;
        },
        req.nodeid());
  }

  /** The work of a balance-like operation, given its steps. */
  interface Work {
    int run(Steps steps) throws IOException;
  }

  /**
   * Runs {@code work} as the mount's one balance-like operation ({@code what}: balance, device
   * remove, resize): EBUSY while a scrub, replace or balance runs; its failures as errnos (EINVAL
   * for a refusal, ECANCELED for a cancel, a step's own errno).
   */
  static int asBalance(FuseFs f, String what, Work work, long nodeid) {
    if (f.replace.running() || f.scrubbing() || !f.balance.tryStart(what)) {
      LOG.warning(what + " refused: a replace, scrub or balance is running");
      return -Errno.EBUSY;
    }
    try {
      return work.run(new Steps(f, nodeid));
    } catch (StepFailed e) {
      return e.errno;
    } catch (Balance.Cancelled e) {
      LOG.info(what + " canceled");
      return -Errno.ECANCELED;
    } catch (Balance.Paused e) {
      LOG.info(what + " paused; the next mount goes on with it");
      return -Errno.ECANCELED;
    } catch (Balance.InProgress e) {
      LOG.warning(what + " refused: " + e.getMessage());
      return -Errno.EINPROGRESS;
    } catch (IllegalArgumentException | IllegalStateException e) {
      LOG.warning(what + " refused: " + e.getMessage());
      return -Errno.EINVAL;
    } catch (IOException | RuntimeException e) {
      return Errno.of(e, what, "");
    } finally {
      f.balance.finish();
    }
  }

  /**
   * At mount: a balance the balance item records (cut by an unmount or a crash, by jbtrfs or the
   * kernel) goes on in the background, as the kernel's mount resumes it; with skip_balance it stays
   * paused for `balance resume` or `balance cancel`.
   */
  static void resumeRecorded(FuseFs f, boolean skip) {
    if (f.rw == null) return;
    Balance.Request[] recorded = new Balance.Request[1];
    int r =
        f.changing(
            "balance",
            FuseProtocol.ROOT_ID,
            0,
            false,
            () -> {
              recorded[0] = Balance.recorded(f.rw.engine());
              return 0;
            });
    if (r != 0 || recorded[0] == null) return;
    if (skip) {
      LOG.info("balance paused (skip_balance): resume or cancel it");
      f.balance.setPaused(recorded[0]);
      return;
    }
    LOG.info("resuming the balance the last mount left");
    Thread t =
        new Thread(
            () ->
                asBalance(
                    f,
                    "balance",
                    steps -> {
                      Balance.resume(steps, recorded[0], f.balance);
                      return 0;
                    },
                    FuseProtocol.ROOT_ID),
            "balance-resume");
    t.setDaemon(true);
    t.start();
  }

  /** A step's change failed with this errno (the cause is in the log). */
  static final class StepFailed extends IOException {
    final int errno;

    StepFailed(int errno, Throwable cause) {
      super(cause);
      this.errno = errno;
    }
  }

  /** Each step as a change of its own, committed alone, as the other live ioctls change. */
  static final class Steps implements Balance.Transactions {
    private final FuseFs f;
    private final long nodeid;

    Steps(FuseFs f, long nodeid) {
      this.f = f;
      this.nodeid = nodeid;
    }

    @Override
    public <T> T committed(Balance.Change<T> change) throws IOException {
      Object[] result = new Object[1];
      Throwable[] failure = new Throwable[1];
      int r =
          f.changing(
              "balance",
              nodeid,
              STEP_ITEMS,
              // Like a deletion, a step may dip into the global reserve: on a full filesystem
              // a balance is what gives space back, and what its copies need was checked
              // against the free metadata before anything changes (Balance.ensureRoom).
              true,
              () -> {
                try {
                  result[0] = f.rw.committedAlone(change::apply);
                  return 0;
                } catch (IOException | RuntimeException e) {
                  failure[0] = e;
                  throw e;
                }
              });
      if (r != 0) {
        if (failure[0] instanceof IllegalArgumentException bad) throw bad;
        throw new StepFailed(r, failure[0]);
      }
      @SuppressWarnings("unchecked")
      T t = (T) result[0];
      return t;
    }
  }
}
