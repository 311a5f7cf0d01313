package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard end to end in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; .ci/run
 * installs them): enter the key, see the deployed function, submit a job and watch it complete, find it by id.
 * Nothing is downloaded at run time: the driver and browser paths are given, so Selenium Manager never runs.
 */
class DashboardBrowserTest {

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    private static ChromeDriver browser;
    private static Path profile;

    @BeforeAll
    static void openBrowser() throws IOException {
        Optional<String> chromium = firstExecutable(BROWSERS);
        Optional<String> driver = firstExecutable(DRIVERS);
        assumeTrue(chromium.isPresent() && driver.isPresent(), "skipped: no Chromium (" + BROWSERS + ") or "
                + "chromedriver (" + DRIVERS + ") on this machine; install them with "
                + "'apt-get install -y chromium chromium-driver' (.ci/run does)");
        profile = Files.createTempDirectory("hearth-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(driver.get()).toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            profile.toFile().deleteOnExit();
        }
    }

    @BeforeEach
    void freshPageWithoutAKey() {
        browser.get(hearth.url().resolve("/").toString());
        browser.executeScript("localStorage.clear()");
        browser.navigate().refresh();
    }

    @Test
    void aWrongKeyIsRefusedAndTheDialogStaysOpen() {
        enterKey("not-the-key");

        await().atMost(WAIT).ignoreExceptions().until(() -> find("#key-error").isDisplayed());
        assertThat(find("#key-error").getText()).contains("refused");
        assertThat(find("#key-dialog").isDisplayed()).isTrue();
    }

    @Test
    void aUserSeesTheFunctionRunsAJobAndSeesItComplete() {
        enterKey(TestServer.KEY);
        WebElement echo = await().atMost(WAIT).ignoreExceptions()
                .until(() -> find("a.fn-link[data-fn='echo']"), WebElement::isDisplayed);

        echo.click();
        WebElement input = await().atMost(WAIT).ignoreExceptions().until(() -> find("#job-input"),
                WebElement::isDisplayed);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        input.sendKeys("{\"x\":1}");
        find("#run-button").click();

        await().atMost(WAIT).ignoreExceptions().until(() -> find("#run-result .badge").getText(),
                "COMPLETED"::equals);
        assertThat(find("#run-result pre.output").getText().replaceAll("\\s", "")).isEqualTo("{\"x\":1}");
        String id = find("#run-result .job-link").getText();
        assertThat(hearth.status("echo", id).get("output").toString()).isEqualTo("{\"x\":1}");
    }

    @Test
    void aJobFoundByIdShowsItsTimelineAndWorker() {
        String id = hearth.run("echo", "{\"find\":\"me\"}");
        String worker = hearth.awaitFinal("echo", id).get("workerId").asText();
        enterKey(TestServer.KEY);

        browser.get(hearth.url().resolve("/#/jobs").toString());
        WebElement search = await().atMost(WAIT).ignoreExceptions().until(() -> find("#job-search"),
                WebElement::isDisplayed);
        search.sendKeys(id, Keys.ENTER);

        await().atMost(WAIT).ignoreExceptions().until(() -> find("#job-view .job-head .badge").getText(),
                "COMPLETED"::equals);
        String page = find("#job-view").getText();
        assertThat(page).contains(id).contains("Queued").contains("Placed and started")
                .contains(worker).contains("\"find\": \"me\"");
    }

    private void enterKey(String key) {
        WebElement field = await().atMost(WAIT).ignoreExceptions().until(() -> find("#api-key"),
                WebElement::isDisplayed);
        field.sendKeys(key, Keys.ENTER);
    }

    private static WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    private static Optional<String> firstExecutable(List<String> paths) {
        return paths.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst();
    }
}
