package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard end to end in a real headless Chromium ({@link HeadlessChromium}): enter the key, see the deployed
 * function, submit a job and watch it complete, find it by id.
 */
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void openBrowser() {
        chromium = HeadlessChromium.open();
        browser = chromium.driver;
    }

    @AfterAll
    static void closeBrowser() {
        if (chromium != null) {
            chromium.close();
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
        await().atMost(WAIT).until(() -> !find("#key-dialog").isDisplayed());

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
}
