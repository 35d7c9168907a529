package org.jbtrfs.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One-line log records on stderr; JBTRFS_LOG=FINE (etc.) raises the detail. */
final class LogSetup {
  private LogSetup() {}

  static void configure() {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) root.removeHandler(h);
    ConsoleHandler h = new ConsoleHandler();
    h.setFormatter(new SimpleFormatter());
    Level level = Level.parse(System.getenv().getOrDefault("JBTRFS_LOG", "INFO"));
    h.setLevel(level);
    root.setLevel(level);
    root.addHandler(h);
  }
}
