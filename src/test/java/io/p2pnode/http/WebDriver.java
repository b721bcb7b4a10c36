package io.p2pnode.http;

import io.p2pnode.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium through chromedriver, spoken to in the W3C WebDriver protocol (JSON over
 * HTTP) with the JDK's HTTP client: no Selenium. Debian's {@code chromium} and
 * {@code chromium-driver} packages provide both programs.
 */
final class WebDriver implements AutoCloseable {
  static final String DRIVER = "/usr/bin/chromedriver";
  static final String BROWSER = "/usr/bin/chromium";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Process driver;
  private final String base;
  private final String session;

  static boolean installed() {
    return Files.isExecutable(Path.of(DRIVER)) && Files.isExecutable(Path.of(BROWSER));
  }

  WebDriver(int width, int height) throws Exception {
    int port = TestNodes.freeTcpPort();
    driver = new ProcessBuilder(DRIVER, "--port=" + port, "--allowed-ips=127.0.0.1")
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    base = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        if (call("GET", "/status", null).getJsonObject("value").getBoolean("ready", false)) break;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline || !driver.isAlive()) throw new IllegalStateException("chromedriver did not start", notYet);
      }
      driver.waitFor(100, TimeUnit.MILLISECONDS); // chromedriver starting: nothing to synchronise on but its port
    }
    JsonObject chrome = new JsonObject().put("binary", BROWSER).put("args", new JsonArray(List.of(
      "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=" + width + "," + height)));
    JsonObject caps = new JsonObject().put("capabilities", new JsonObject().put("alwaysMatch",
      new JsonObject().put("browserName", "chrome").put("goog:chromeOptions", chrome)));
    session = call("POST", "/session", caps).getJsonObject("value").getString("sessionId");
  }

  private JsonObject call(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
      .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonObject json = new JsonObject(r.body());
    if (r.statusCode() != 200) throw new AssertionError("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
    return json;
  }

  void open(String url) throws Exception {
    call("POST", "/session/" + session + "/url", new JsonObject().put("url", url));
  }

  /** Runs {@code script} (a function body) in the page; returns its value. */
  Object eval(String script) throws Exception {
    return call("POST", "/session/" + session + "/execute/sync", new JsonObject().put("script", script).put("args", new JsonArray()))
      .getValue("value");
  }

  /** Saves a PNG of the window at {@code file}. */
  void screenshot(Path file) throws Exception {
    String png = call("GET", "/session/" + session + "/screenshot", null).getString("value");
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(png));
  }

  @Override
  public void close() {
    try {
      if (session != null) call("DELETE", "/session/" + session, null);
    } catch (Exception ignored) {
      // the driver goes anyway
    } finally {
      driver.destroy();
    }
  }
}
