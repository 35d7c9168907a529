"""One thread links and unlinks a second name of a file in a loop while others stat the file.

Every link must succeed (the file always keeps its first name) and, after the looping thread's own
unlink, its stat must show one link (checked every 64th time). Prints one line: iterations, refused links, wrong counts.
Used by scripts/link-race; see README (differences from the kernel).
"""

import os
import sys
import threading
import time


def main(directory, seconds, stat_threads):
    f = os.path.join(directory, "f")
    g = os.path.join(directory, "g")
    open(f, "w").close()
    stop = threading.Event()
    counts = {"iterations": 0, "refused": 0, "wrong": 0}

    def looper():
        while not stop.is_set():
            try:
                os.link(f, g)
            except FileNotFoundError:
                counts["refused"] += 1
                os.stat(f)  # the kernel marked the count stale at the drop: this reads it afresh
                continue
            os.unlink(g)
            counts["iterations"] += 1
            # Now and then only: a stat after every unlink would change the rhythm of the race.
            if counts["iterations"] % 64 == 0 and os.stat(f).st_nlink != 1:
                counts["wrong"] += 1

    def statter():
        while not stop.is_set():
            os.stat(f)
            try:
                os.stat(g)
            except FileNotFoundError:
                pass

    threads = [threading.Thread(target=looper)]
    threads += [threading.Thread(target=statter) for _ in range(stat_threads)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    os.unlink(f)
    print(counts["iterations"], counts["refused"], counts["wrong"])


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
