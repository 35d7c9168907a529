package org.jbtrfs.txn;

import java.util.Comparator;
import java.util.List;

/**
 * The kernel's sort() (lib/sort.c): a bottom-up heapsort that pops two elements per round. It is
 * not stable, so where the comparator calls two elements equal their final order depends on this
 * exact algorithm. The chunk allocator sorts devices with it, and devices with the same free space
 * are common (equal disks), so the kernel's choice among them is only reproduced by sorting the
 * same way; Java's stable sort would pick other devices.
 */
final class KernelHeapSort {
  private KernelHeapSort() {}

  static <T> void sort(List<T> items, Comparator<? super T> cmp) {
    int num = items.size();
    int n = num;
    int a = num / 2;
    int shift = 0;
    if (a == 0) return;
    for (; ; ) {
      if (a != 0) {
        // Building the heap (and, after a double pop, re-sifting the root).
        a -= 1 << shift;
      } else if (n > 3) {
        // Move the largest element to the end, then the larger of the root's two children.
        n--;
        swap(items, 0, n);
        shift = cmp.compare(items.get(1), items.get(2)) <= 0 ? 1 : 0;
        a = 1 << shift;
        n--;
        swap(items, a, n);
      } else {
        break;
      }
      // Follow the larger child down to a leaf, then climb back to where element a belongs.
      int b = a;
      int c;
      int d;
      for (; ; ) {
        c = 2 * b + 1;
        d = c + 1;
        if (d >= n) break;
        b = cmp.compare(items.get(c), items.get(d)) > 0 ? c : d;
      }
      if (d == n) b = c;
      while (b != a && cmp.compare(items.get(a), items.get(b)) >= 0) b = (b - 1) / 2;
      c = b;
      while (b != a) {
        b = (b - 1) / 2;
        swap(items, b, c);
      }
    }
    // Two or three elements are left in the heap.
    n--;
    swap(items, 0, n);
    if (n == 2 && cmp.compare(items.get(0), items.get(1)) > 0) swap(items, 0, 1);
  }

  private static <T> void swap(List<T> items, int i, int j) {
    T t = items.get(i);
    items.set(i, items.get(j));
    items.set(j, t);
  }
}
