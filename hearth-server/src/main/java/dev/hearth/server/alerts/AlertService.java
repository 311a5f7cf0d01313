package dev.hearth.server.alerts;

import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvaluator;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;
import dev.hearth.alerts.AlertStatus;
import dev.hearth.alerts.AlertStore;
import dev.hearth.errors.HearthException;
import dev.hearth.server.api.Webhooks;
import dev.hearth.webhooks.DeliveryState;
import dev.hearth.webhooks.WebhookDelivery;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Alert rules at work: kept in the store, evaluated every round ({@link #evaluate}, once a second by the server's
 * housekeeping) on the values {@link AlertSignals} measures, each firing and resolution recorded and, when the rule
 * has a webhook, sent signed and retried by {@link Webhooks}. States live in memory: after a restart every rule
 * starts from ok, and one still breached fires again once its {@code for} duration has passed.
 */
public final class AlertService {

    private static final Logger LOG = Logger.getLogger(AlertService.class.getName());

    /** A rule and where it stands; the status is empty until the rule is first evaluated. */
    public record View(AlertRule rule, Optional<AlertStatus> status) {
    }

    private final AlertStore store;
    private final AlertSignals signals;
    private final Webhooks webhooks;
    private final InstantSource clock;
    private final AlertEvaluator evaluator;
    private final Map<String, AlertRule> rules = new TreeMap<>();
    private long sequence;

    public AlertService(AlertStore store, AlertSignals signals, Webhooks webhooks, InstantSource clock) {
        this.store = store;
        this.signals = signals;
        this.webhooks = webhooks;
        this.clock = clock;
        this.evaluator = new AlertEvaluator(clock);
        for (AlertRule r : store.listAlertRules()) {
            rules.put(r.name(), r);
        }
    }

    /**
     * Creates a rule, or replaces the one of that name (which starts again from ok).
     *
     * @return whether it replaced one
     */
    public synchronized boolean put(AlertRule rule) {
        if (rule.notification() != null) {
            webhooks.targets().check(rule.notification().url(), "webhook");
        }
        store.saveAlertRule(rule);
        evaluator.forget(rule.name());
        return rules.put(rule.name(), rule) != null;
    }

    /** @throws HearthException.NotFound when there is no such rule */
    public synchronized AlertRule delete(String name) {
        AlertRule r = require(name);
        store.deleteAlertRule(name);
        rules.remove(name);
        evaluator.forget(name);
        return r;
    }

    public synchronized List<View> list() {
        List<View> out = new ArrayList<>();
        for (AlertRule r : rules.values()) {
            out.add(new View(r, evaluator.status(r.name())));
        }
        return out;
    }

    /** @throws HearthException.NotFound when there is no such rule */
    public synchronized View find(String name) {
        AlertRule r = require(name);
        return new View(r, evaluator.status(name));
    }

    /** The rule's firings and resolutions, newest first; those of a deleted rule too. */
    public List<AlertEvent> history(String name, int limit) {
        return store.alertEvents(name, limit);
    }

    /** Measures every rule's value and moves its state on; records and notifies what fired or resolved. */
    public void evaluate() {
        List<AlertRule> now;
        synchronized (this) {
            now = List.copyOf(rules.values());
        }
        AlertSignals.Round round = signals.round(now.stream().map(r -> r.condition().window())
                .filter(java.util.Objects::nonNull).max(java.time.Duration::compareTo).orElse(java.time.Duration.ZERO));
        for (AlertRule rule : now) {
            try {
                Double value = round.measure(rule.function(), rule.condition());
                AlertStatus.Step step;
                synchronized (this) {
                    if (rules.get(rule.name()) != rule) {
                        continue; // replaced or deleted meanwhile
                    }
                    step = evaluator.observe(rule, value);
                }
                if (step.change() != AlertStatus.Change.NONE) {
                    changed(rule, step.status());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "alert " + rule.name() + " could not be evaluated; it is tried again shortly",
                        e);
            }
        }
    }

    private void changed(AlertRule rule, AlertStatus status) {
        String id;
        synchronized (this) {
            id = "alert_" + rule.name() + "_" + status.state().wire() + "_" + status.since().toEpochMilli() + "_"
                    + ++sequence;
        }
        AlertEvent event = new AlertEvent(id, rule.name(), rule.function(), status.since(), status.state(),
                status.value(), summary(rule, status), rule.notification() == null ? "none" : "pending");
        store.saveAlertEvent(event);
        if (status.state() == AlertState.FIRING) {
            LOG.warning("alert " + rule.name() + " is firing: " + event.summary());
        } else {
            LOG.info("alert " + rule.name() + " resolved: " + event.summary());
        }
        if (rule.notification() != null) {
            webhooks.send("alert " + rule.name(), id, rule.notification().url(), AlertPayloads.body(rule, event),
                    d -> store.saveAlertEvent(event.withNotification(progress(d))));
        }
    }

    /** One line for people: {@code p95 latency of echo is 3.1s (p95 latency > 2s for 5m)}. */
    static String summary(AlertRule rule, AlertStatus status) {
        AlertCondition c = rule.condition();
        boolean firing = status.state() == AlertState.FIRING;
        switch (c.metric()) {
            case CRASH_LOOP -> {
                return rule.scope() + (firing ? " is crash looping" : " is no longer crash looping") + " ("
                        + c.text() + ")";
            }
            case NO_FREE_GPU -> {
                return rule.scope() + (firing ? " has jobs waiting and no free GPU to start a worker on"
                        : " is no longer waiting for a GPU") + " (" + c.text() + ")";
            }
            default -> { }
        }
        String what = c.metric().phrase() + " of " + rule.scope();
        String value = status.value() == null ? "no longer measured (nothing in the window)"
                : (firing ? "is " : "is back to ") + c.format(status.value());
        return what + " " + value + " (" + c.text() + ")";
    }

    private static String progress(WebhookDelivery d) {
        if (d.state() == DeliveryState.DELIVERED) {
            return "delivered";
        }
        if (d.state() == DeliveryState.FAILED) {
            return "failed after " + d.attempts() + " attempt(s): " + d.lastError();
        }
        return d.attempts() == 0 ? "pending" : "retrying: attempt " + d.attempts() + " failed: " + d.lastError();
    }

    private AlertRule require(String name) {
        AlertRule r = rules.get(name);
        if (r == null) {
            throw new HearthException.NotFound("no alert rule named '" + name + "'; `hearth alert ls` lists them");
        }
        return r;
    }
}
