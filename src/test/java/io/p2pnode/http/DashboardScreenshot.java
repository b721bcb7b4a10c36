package io.p2pnode.http;

import java.nio.file.Path;

/**
 * Saves a screenshot of a running node's dashboard once it has shown a few live samples:
 * {@code java -cp ... io.p2pnode.http.DashboardScreenshot http://127.0.0.1:7712/ docs/dashboard.png}
 * (how the README's picture is made, from the quick start).
 */
public final class DashboardScreenshot {
  private DashboardScreenshot() {
  }

  public static void main(String[] args) throws Exception {
    try (WebDriver browser = new WebDriver(1400, 1100)) {
      browser.open(args[0]);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (((Number) browser.eval("return Number(document.getElementById('samples').textContent)")).longValue() < 3) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("no live samples from " + args[0]);
        Thread.sleep(200); // a command-line tool polling a browser, not a test
      }
      browser.screenshot(Path.of(args[1]));
    }
  }
}
