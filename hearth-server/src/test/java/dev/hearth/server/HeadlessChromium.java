package dev.hearth.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by its chromedriver, for the dashboard's browser tests ({@code .ci/run} installs
 * both). Nothing is downloaded at run time: the driver and browser paths are given, so Selenium Manager never runs.
 * Without them the test class is skipped with a message saying what to install.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    final ChromeDriver driver;
    /** Where downloads land. */
    final Path downloads;
    private final Path profile;

    private HeadlessChromium(ChromeDriver driver, Path profile, Path downloads) {
        this.driver = driver;
        this.profile = profile;
        this.downloads = downloads;
    }

    /** Starts a browser, or skips the calling test class where Chromium or chromedriver is missing. */
    static HeadlessChromium open() {
        Optional<String> chromium = firstExecutable(BROWSERS);
        Optional<String> driver = firstExecutable(DRIVERS);
        assumeTrue(chromium.isPresent() && driver.isPresent(), "skipped: no Chromium (" + BROWSERS + ") or "
                + "chromedriver (" + DRIVERS + ") on this machine; install them with "
                + "'apt-get install -y chromium chromium-driver' (.ci/run does)");
        try {
            Path profile = Files.createTempDirectory("hearth-chromium");
            Path downloads = Files.createTempDirectory("hearth-downloads");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(driver.get()).toFile()).usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium.get());
            // no background networking: this machine reaches nothing but loopback
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1400,1000", "--user-data-dir=" + profile, "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run");
            options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                    "download.prompt_for_download", false));
            return new HeadlessChromium(new ChromeDriver(service, options), profile, downloads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves what the page shows now as a PNG under target/screenshots, for a person to look at. */
    void screenshot(String name) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "screenshots"));
            Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        profile.toFile().deleteOnExit();
    }

    private static Optional<String> firstExecutable(List<String> paths) {
        return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }
}
