package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Operating Hearth from the dashboard in a real headless Chromium: each action a person takes on a page reaches the
 * same JSON API as the CLI, and the test checks its effect through that API. Destructive actions ask first.
 * Screenshots of the pages land in target/screenshots.
 */
class DashboardActionsBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "fails", "sleepy")
            .onGpus("node-a=H100:1;node-b=H100:1");

    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    @BeforeAll
    static void openBrowser() {
        chromium = HeadlessChromium.open();
        browser = chromium.driver;
        browser.get(hearth.url().resolve("/").toString());
        browser.executeScript("localStorage.setItem('hearth.apiKey', arguments[0])", TestServer.KEY);
    }

    @AfterAll
    static void closeBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void theCanarysShareIsChangedThenPromotedThenAnOlderVersionIsMadeActiveAgain() {
        deployFunction("rel", null);
        deployFunction("rel", "10");
        open("#/functions/rel");

        WebElement share = visible("#canary-percent");
        share.sendKeys(Keys.chord(Keys.CONTROL, "a"), "30");
        click("#canary-share");
        await().atMost(WAIT).until(() -> release("rel").path("canary").path("percent").asInt() == 30);
        chromium.screenshot("function-releases");

        click("#promote");
        await().atMost(WAIT).until(() -> release("rel").path("active").asInt() == 2 && !release("rel").has("canary"));

        click(By.xpath("//div[@id='releases']//button[text()='Make active']"));
        click("#confirm-ok");
        await().atMost(WAIT).until(() -> release("rel").path("active").asInt() == 1);
    }

    @Test
    void scalingIsEditedLiveAndResetToTheManifest() {
        deployFunction("scaled", null);
        open("#/functions/scaled");
        WebElement max = visible("#scale-max");
        await().atMost(WAIT).until(() -> !max.getAttribute("value").isEmpty());

        max.sendKeys(Keys.chord(Keys.CONTROL, "a"), "3");
        WebElement idle = visible("#scale-idle");
        idle.sendKeys(Keys.chord(Keys.CONTROL, "a"), "45s");
        click("#scale-save");
        await().atMost(WAIT).until(() -> scaling("scaled").path("maxWorkers").asInt() == 3
                && scaling("scaled").path("idleTimeout").asText().equals("45s"));
        assertThat(scaling("scaled").path("liveUpdate").has("maxWorkers")).isTrue();
        chromium.screenshot("function-scaling");

        click("#scale-reset");
        click("#confirm-ok");
        await().atMost(WAIT).until(() -> !scaling("scaled").has("liveUpdate"));
        assertThat(scaling("scaled").path("maxWorkers").asInt()).isEqualTo(2);
    }

    @Test
    void aRefusedActionShowsTheApisMessage() {
        deployFunction("refusing", null);
        open("#/functions/refusing");
        WebElement idle = visible("#scale-idle");
        await().atMost(WAIT).until(() -> !idle.getAttribute("value").isEmpty());

        idle.sendKeys(Keys.chord(Keys.CONTROL, "a"), "forever");
        click("#scale-save");

        WebElement toast = visible(".toast.bad");
        String detail = hearth.send(java.net.http.HttpRequest.newBuilder(hearth.url().resolve(
                        "/v1/functions/refusing/scaling")).header("Authorization", "Bearer " + TestServer.KEY)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"idleTimeout\":\"forever\"}")))
                .json().get("detail").asText();
        assertThat(toast.getText()).contains(detail);
    }

    @Test
    void deletingAFunctionAsksForItsNameFirst() {
        deployFunction("doomed", null);
        open("#/functions/doomed");

        click("#delete-function");
        WebElement confirm = visible("#confirm-ok");
        assertThat(confirm.isEnabled()).isFalse();
        visible("#confirm-typed").sendKeys("doomed");
        assertThat(confirm.isEnabled()).isTrue();
        confirm.click();

        await().atMost(WAIT).until(() -> hearth.get("/v1/functions/doomed").status() == 404);
        await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("#/functions"));
    }

    @Test
    void aFunctionIsDeployedFromAZipAndFromADirectory() throws IOException {
        Path zip = Files.createTempFile("uploaded", ".zip");
        Files.write(zip, TestServer.zip(functionDir("uploaded")));
        open("#/functions");

        visible("#deploy-zip").sendKeys(zip.toString());
        click("#deploy-button");
        await().atMost(WAIT).until(() -> hearth.get("/v1/functions/uploaded").status() == 200);
        await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("#/functions/uploaded"));

        open("#/functions");
        visible("#deploy-dir").sendKeys(functionDir("fromdir").toString());
        click("#deploy-button");
        await().atMost(WAIT).until(() -> hearth.get("/v1/functions/fromdir").status() == 200);
        assertThat(hearth.post("/v2/fromdir/runsync", "{\"input\":{\"up\":1}}").json().get("output").toString())
                .isEqualTo("{\"up\":1}");
    }

    @Test
    void jobsAreFilteredByFunctionAndState() {
        String failed = hearth.awaitFinal("fails", hearth.run("fails", "{}")).get("id").asText();
        String completed = hearth.awaitFinal("echo", hearth.run("echo", "{}")).get("id").asText();
        open("#/jobs");

        visible("#filter-state option[value='FAILED']").click();

        await().atMost(WAIT).ignoreExceptions().until(() -> {
            String table = find("#job-view").getText();
            return table.contains(failed) && !table.contains(completed);
        });
        chromium.screenshot("jobs-filtered");
        visible("#filter-state option[value='']").click();
    }

    @Test
    void aFailedJobIsRetriedFromItsPage() {
        JsonNode failed = hearth.awaitFinal("fails", hearth.run("fails", "{}"));
        String id = failed.get("id").asText();
        open("#/jobs/fails/" + id);

        click("#retry-job");

        await().atMost(WAIT).until(() -> {
            JsonNode now = hearth.status("fails", id);
            return now.get("status").asText().equals("FAILED")
                    && !now.path("completedAt").asText().equals(failed.path("completedAt").asText());
        });
    }

    @Test
    void aRunningJobIsCancelledFromItsPageAfterConfirming() {
        String id = hearth.run("sleepy", "{\"seconds\": 120}");
        await().atMost(WAIT).until(() -> hearth.status("sleepy", id).get("status").asText().equals("IN_PROGRESS"));
        open("#/jobs/sleepy/" + id);

        click("#cancel-job");
        click("#confirm-ok");

        await().atMost(WAIT).until(() -> hearth.status("sleepy", id).get("status").asText().equals("CANCELLED"));
    }

    @Test
    void aFinishedJobsPageShowsWhatItCost() {
        String id = hearth.awaitFinal("echo", hearth.run("echo", "{\"cost\":1}")).get("id").asText();
        open("#/jobs/echo/" + id);

        WebElement cost = visible("#job-cost-total");
        assertThat(cost.getText()).matches("\\$[0-9.,]+").doesNotContain("e-");
        chromium.screenshot("job-page");
    }

    @Test
    void aNodeIsDrainedAndUndrained() {
        open("#/nodes");
        WebElement grace = visible("#grace-node-b");
        grace.sendKeys(Keys.chord(Keys.CONTROL, "a"), "2s");
        click("#drain-node-b");
        click("#confirm-ok");
        await().atMost(WAIT).until(() -> !nodeState("node-b").equals("ACTIVE"));
        chromium.screenshot("nodes");

        click("#undrain-node-b");
        await().atMost(WAIT).until(() -> nodeState("node-b").equals("ACTIVE"));
    }

    @Test
    void aBudgetIsCreatedEditedAndRemoved() {
        open("#/usage");
        visible("#budget-scope option[value='echo']").click();
        visible("#budget-period option[value='day']").click();
        visible("#budget-limit").sendKeys("5");
        click("#budget-save");
        await().atMost(WAIT).until(() -> echoBudget() != null && echoBudget().get("limit").decimalValue()
                .compareTo(java.math.BigDecimal.valueOf(5)) == 0);

        click(By.xpath("//div[@id='budgets']//button[text()='Edit']"));
        WebElement limit = visible("#budget-limit");
        limit.sendKeys(Keys.chord(Keys.CONTROL, "a"), "7");
        click("#budget-save");
        await().atMost(WAIT).until(() -> echoBudget().get("limit").decimalValue()
                .compareTo(java.math.BigDecimal.valueOf(7)) == 0);
        await().atMost(WAIT).ignoreExceptions().until(() -> find("#budgets .budget-chart svg").isDisplayed());
        chromium.screenshot("usage-budgets");

        click(By.xpath("//div[@id='budgets']//button[text()='Remove']"));
        click("#confirm-ok");
        await().atMost(WAIT).until(() -> echoBudget() == null);
    }

    @Test
    void usageIsExportedAsCsv() throws IOException {
        hearth.awaitFinal("echo", hearth.run("echo", "{}"));
        open("#/usage");

        click("#usage-csv");

        Path file = chromium.downloads.resolve("hearth-usage-by-day.csv");
        await().atMost(WAIT).until(() -> Files.isRegularFile(file) && Files.size(file) > 0);
        assertThat(Files.readString(file)).startsWith("key,cost.total,");
    }

    @Test
    void theAuditPageShowsWhoChangedWhat() {
        deployFunction("audited", null);
        hearth.post("/v1/functions/audited/scaling", "{\"maxWorkers\":3}");
        open("#/audit");

        WebElement action = visible("#audit-action");
        action.sendKeys("scale", Keys.ENTER);

        await().atMost(WAIT).ignoreExceptions().until(() -> {
            String table = find("#audit").getText();
            return table.contains("audited") && table.contains("scale") && !table.contains("deploy");
        });
        chromium.screenshot("audit");
    }

    @Test
    void firingAlertsShowOnTheOverviewAndOnTheirFunctionsPageOnly() {
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"echo-queue\",\"function\":\"echo\","
                + "\"when\":\"oldest queued age >= 0s\"}").status()).isEqualTo(201);
        try {
            open("#/");
            await().atMost(WAIT).ignoreExceptions().until(() -> find("#firing-alerts").getText()
                    .contains("echo-queue"));
            assertThat(find("#firing-alerts").getText()).contains("1 alert firing").contains("oldest queued age >= 0s");
            chromium.screenshot("alerts-overview");

            open("#/functions/echo");
            await().atMost(WAIT).ignoreExceptions().until(() -> find("#firing-alerts").getText()
                    .contains("echo-queue"));
            open("#/functions/sleepy");
            visible(".page-head .chip"); // the first refresh is in, the alerts with it
            assertThat(browser.findElements(By.cssSelector("#firing-alerts"))).isEmpty();
        } finally {
            hearth.delete("/v1/alerts/echo-queue");
        }
    }

    @Test
    void aReadKeySeesTheDashboardWithoutItsActions() {
        String key = hearth.post("/v1/keys", "{\"name\":\"viewer\",\"scope\":\"read\"}").json().get("key").asText();
        browser.executeScript("localStorage.setItem('hearth.apiKey', arguments[0])", key);
        try {
            open("#/functions/echo");
            visible("#scale-max");
            await().atMost(WAIT).until(() -> "read".equals(browser.findElement(By.tagName("body"))
                    .getAttribute("data-scope")));
            for (String action : List.of("#delete-function", "#scale-save", "#scale-reset", "#run-button")) {
                assertThat(find(action).isDisplayed()).as(action).isFalse();
            }
            chromium.screenshot("read-only-function");

            open("#/nodes");
            visible("#nodes .panel");
            assertThat(find("#drain-node-a").isDisplayed()).isFalse();
            open("#/usage");
            visible("#budgets");
            assertThat(find("#budget-form").isDisplayed()).isFalse();
            open("#/functions");
            visible("#functions-table table");
            assertThat(find("#deploy-button").isDisplayed()).isFalse();
            assertThat(find("a[data-tab='audit']").isDisplayed()).isFalse();
        } finally {
            browser.executeScript("localStorage.setItem('hearth.apiKey', arguments[0])", TestServer.KEY);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Loads the page afresh (a change of hash alone would keep the old page and its state). */
    private static void open(String hash) {
        browser.get("about:blank");
        browser.get(hearth.url().resolve("/" + hash).toString());
    }

    private static WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    private static WebElement visible(String css) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> find(css), WebElement::isDisplayed);
    }

    /** Clicks once the element can be clicked; again if a refresh replaced it in between (pages re-render). */
    private static void click(String css) {
        click(By.cssSelector(css));
    }

    private static void click(By by) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            WebElement e = browser.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    private static JsonNode release(String fn) {
        return hearth.get("/v1/functions/" + fn).json().get("release");
    }

    private static JsonNode scaling(String fn) {
        return hearth.get("/v1/functions/" + fn).json().get("scaling");
    }

    private static String nodeState(String node) {
        for (JsonNode n : hearth.get("/v1/nodes").json().get("nodes")) {
            if (n.get("name").asText().equals(node)) {
                return n.get("state").asText();
            }
        }
        throw new AssertionError("no node " + node);
    }

    private static JsonNode echoBudget() {
        for (JsonNode b : hearth.get("/v1/budgets").json().get("budgets")) {
            if ("echo".equals(b.path("function").asText()) && b.get("period").asText().equals("day")) {
                return b;
            }
        }
        return null;
    }

    private static void deployFunction(String name, String canary) {
        TestServer.Response r = hearth.deploy(functionDir(name), canary == null ? "" : "?canary=" + canary);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    /** A CPU function that answers with its input. */
    private static Path functionDir(String name) {
        try {
            Path dir = Files.createTempDirectory("hearth-dash-" + name);
            Files.writeString(dir.resolve("hearth.yaml"), """
                    name: %s
                    handler: handler.py:handler
                    scaling:
                      minWorkers: 0
                      maxWorkers: 2
                      idleTimeout: 2s
                    timeout: 60s
                    """.formatted(name));
            Files.writeString(dir.resolve("handler.py"), "def handler(job):\n    return job[\"input\"]\n");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
