package dev.hearth.store.jdbc;

import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertFormat;
import dev.hearth.alerts.AlertNotification;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** SQL for the alert_rules and alert_events tables. A rule's condition is kept as its canonical text. */
final class AlertRows {

    private static final String RULES = "SELECT name, function_name, condition, webhook, format, routing_key, "
            + "created_at FROM alert_rules ORDER BY name";
    private static final String SAVE_RULE = "INSERT INTO alert_rules (name, function_name, condition, webhook, format, "
            + "routing_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            + "function_name = excluded.function_name, condition = excluded.condition, webhook = excluded.webhook, "
            + "format = excluded.format, routing_key = excluded.routing_key, created_at = excluded.created_at";
    private static final String EVENT_COLUMNS = "id, rule_name, function_name, at, state, value, summary, notification";
    private static final String SAVE_EVENT = "INSERT INTO alert_events (" + EVENT_COLUMNS + ") VALUES "
            + "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET notification = excluded.notification";
    // one fixed statement whatever the filter ('' matches every rule), as AuditRows does
    private static final String EVENTS = "SELECT " + EVENT_COLUMNS + " FROM alert_events "
            + "WHERE (? = '' OR rule_name = ?) ORDER BY at DESC, id DESC LIMIT ?";

    private AlertRows() {
    }

    static List<AlertRule> rules(Session s) throws SQLException {
        List<AlertRule> out = new ArrayList<>();
        try (ResultSet rs = s.prepare(RULES).executeQuery()) {
            while (rs.next()) {
                String webhook = rs.getString(4);
                AlertNotification n = webhook == null ? null : new AlertNotification(webhook,
                        AlertFormat.fromWire(rs.getString(5), "format"), rs.getString(6));
                out.add(new AlertRule(rs.getString(1), rs.getString(2), AlertCondition.parse(rs.getString(3)), n,
                        Instant.ofEpochMilli(rs.getLong(7))));
            }
        }
        return out;
    }

    static void save(Session s, AlertRule r) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE_RULE);
        ps.setString(1, r.name());
        text(ps, 2, r.function());
        ps.setString(3, r.condition().text());
        AlertNotification n = r.notification();
        text(ps, 4, n == null ? null : n.url());
        text(ps, 5, n == null ? null : n.format().wire());
        text(ps, 6, n == null ? null : n.routingKey());
        ps.setLong(7, r.createdAt().toEpochMilli());
        ps.executeUpdate();
    }

    static boolean delete(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare("DELETE FROM alert_rules WHERE name = ?");
        ps.setString(1, name);
        return ps.executeUpdate() > 0;
    }

    static void save(Session s, AlertEvent e) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE_EVENT);
        ps.setString(1, e.id());
        ps.setString(2, e.rule());
        text(ps, 3, e.function());
        ps.setLong(4, e.at().toEpochMilli());
        ps.setString(5, e.state().wire());
        if (e.value() == null) {
            ps.setNull(6, Types.DOUBLE);
        } else {
            ps.setDouble(6, e.value());
        }
        ps.setString(7, e.summary());
        ps.setString(8, e.notification());
        ps.executeUpdate();
    }

    static List<AlertEvent> events(Session s, String rule, int limit) throws SQLException {
        PreparedStatement ps = s.prepare(EVENTS);
        ps.setString(1, rule == null ? "" : rule);
        ps.setString(2, rule == null ? "" : rule);
        ps.setInt(3, limit);
        List<AlertEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                double v = rs.getDouble(6);
                Double value = rs.wasNull() ? null : v;
                AlertState state = AlertState.valueOf(rs.getString(5).toUpperCase(Locale.ROOT));
                out.add(new AlertEvent(rs.getString(1), rs.getString(2), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), state, value, rs.getString(7), rs.getString(8)));
            }
        }
        return out;
    }

    private static void text(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }
}
