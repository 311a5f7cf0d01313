package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertFormat;
import dev.hearth.alerts.AlertNotification;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every store must do with alert rules and their events; run against SQLite and PostgreSQL. */
public abstract class AlertStoreContract extends EmptyStorePerTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void savedRulesReadBackAsSavedByName() {
        AlertRule slow = new AlertRule("slow", "echo", AlertCondition.parse("p95 latency > 2s for 5m"),
                new AlertNotification("https://hooks.example.com/x", AlertFormat.PAGERDUTY, "R0UTING"), T0);
        AlertRule loop = new AlertRule("a-loop", null, AlertCondition.parse("crash loop"), null, T0.plusMillis(3));
        store.saveAlertRule(slow);
        store.saveAlertRule(loop);

        assertThat(store.listAlertRules()).containsExactly(loop, slow);
    }

    @Test
    void savingARuleAgainReplacesItAndDeletingSaysWhetherThereWasOne() {
        store.saveAlertRule(new AlertRule("slow", "echo", AlertCondition.parse("p95 latency > 2s"), null, T0));
        AlertRule replaced = new AlertRule("slow", null, AlertCondition.parse("failure rate > 5% over 10m"),
                new AlertNotification("https://hooks.example.com/y", AlertFormat.SLACK, null), T0.plusSeconds(1));

        store.saveAlertRule(replaced);

        assertThat(store.listAlertRules()).containsExactly(replaced);
        assertThat(store.deleteAlertRule("slow")).isTrue();
        assertThat(store.deleteAlertRule("slow")).isFalse();
        assertThat(store.listAlertRules()).isEmpty();
    }

    @Test
    void eventsAreListedNewestFirstByRuleAndTheirNotificationIsUpdatedInPlace() {
        AlertEvent fired = new AlertEvent("e1", "slow", "echo", T0, AlertState.FIRING, 3.2, "p95 latency 3.2s",
                "pending");
        AlertEvent resolved = new AlertEvent("e2", "slow", "echo", T0.plusSeconds(60), AlertState.RESOLVED, null,
                "back", "none");
        AlertEvent other = new AlertEvent("e3", "loop", null, T0.plusSeconds(30), AlertState.FIRING, 1.0, "loop",
                "none");
        store.saveAlertEvent(fired);
        store.saveAlertEvent(resolved);
        store.saveAlertEvent(other);

        store.saveAlertEvent(fired.withNotification("delivered"));

        assertThat(store.alertEvents("slow", 10)).containsExactly(resolved, fired.withNotification("delivered"));
        assertThat(store.alertEvents(null, 2)).containsExactly(resolved, other);
    }
}
