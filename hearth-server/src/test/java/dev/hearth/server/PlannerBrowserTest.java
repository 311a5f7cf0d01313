package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The dashboard's Planner page in a real headless Chromium: a function's history planned on the server
 * ({@code GET /v1/functions/{fn}/plan}) drawn as cost against p95, one point per policy, with the recommendation.
 */
class PlannerBrowserTest {

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

    @Test
    void thePlannerDrawsEveryPolicyOfTheSweepAtItsCostAndP95AndRingsTheRecommendation() {
        for (int i = 0; i < 5; i++) {
            hearth.awaitFinal("echo", hearth.run("echo", "{\"i\":" + i + "}"));
        }
        JsonNode plan = hearth.get("/v1/functions/echo/plan?since=1h&slo=p95%20%3C%2030s").json();
        List<String> policies = plan.get("functions").get(0).get("policies").findValuesAsText("name").stream()
                .filter(n -> !n.isEmpty()).distinct().toList();
        String recommended = plan.get("functions").get(0).get("recommendation").get("policy").asText();

        browser.get(hearth.url().resolve("/#/planner").toString());
        browser.executeScript("localStorage.clear()");
        browser.navigate().refresh();
        WebElement key = await().atMost(WAIT).ignoreExceptions().until(() -> find("#api-key"), WebElement::isDisplayed);
        key.sendKeys(TestServer.KEY, Keys.ENTER);
        WebElement slo = await().atMost(WAIT).ignoreExceptions().until(() -> find("#plan-slo"),
                WebElement::isDisplayed);
        await().atMost(WAIT).ignoreExceptions().until(() -> find("#plan-function option[value='echo']"),
                WebElement::isSelected);
        slo.sendKeys("p95 < 30s");
        browser.findElement(By.cssSelector("#plan-window option[value='1h']")).click();
        find("#plan-run").click();

        await().atMost(WAIT).ignoreExceptions().until(() -> find("#plan-summary").getText(),
                t -> t.contains("p95 < 30s"));
        assertThat(find("#plan-recommendation").getText()).contains("Recommended: " + recommended);
        List<String> drawn = browser.findElements(By.cssSelector("#plan-chart svg.frontier g.point")).stream()
                .map(p -> p.getAttribute("data-policy")).toList();
        assertThat(drawn).containsExactlyInAnyOrderElementsOf(policies);
        assertThat(find("#plan-chart g.point.recommended").getAttribute("data-policy")).isEqualTo(recommended);
        assertThat(browser.findElements(By.cssSelector("#plan-chart g.point.on-frontier"))).isNotEmpty();
        assertThat(find("#plan-chart .slo-line")).isNotNull();
        assertThat(browser.findElements(By.cssSelector("#plan-table tr[data-policy]"))).hasSize(policies.size());
        assertThat(find("#plan-summary").getText()).contains("5 requests");
        chromium.screenshot("planner");
    }

    @Test
    void aHistoryWindowThatIsNotADurationIsA400NamingTheParameter() {
        TestServer.Response r = hearth.get("/v1/functions/echo/history?since=forever");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("'since'");
    }

    private static WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }
}
