package dev.hearth.alerts;

import java.util.List;

/** The durable alert rules and the record of their firings and resolutions. Writes are durable on return. */
public interface AlertStore {

    List<AlertRule> listAlertRules();

    /** Inserts or replaces the rule of {@code rule.name()}. */
    void saveAlertRule(AlertRule rule);

    /** @return whether there was such a rule (its recorded events are kept) */
    boolean deleteAlertRule(String name);

    /** Inserts or replaces the event of {@code event.id()}. */
    void saveAlertEvent(AlertEvent event);

    /** The rule's events (all rules' when {@code rule} is null), newest first, at most {@code limit}. */
    List<AlertEvent> alertEvents(String rule, int limit);
}
