package dev.hearth.store.jdbc;

import dev.hearth.webhooks.DeliveryState;
import dev.hearth.webhooks.WebhookDelivery;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** SQL for the webhook_deliveries table. */
final class DeliveryRows {

    private static final String COLUMNS = "job_id, webhook_id, url, state, attempts, last_status, last_error, "
            + "next_attempt_at, updated_at";
    private static final String SAVE = "INSERT INTO webhook_deliveries (" + COLUMNS + ") "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
            + "webhook_id = excluded.webhook_id, url = excluded.url, state = excluded.state, "
            + "attempts = excluded.attempts, last_status = excluded.last_status, last_error = excluded.last_error, "
            + "next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at";
    private static final String FIND = "SELECT " + COLUMNS + " FROM webhook_deliveries WHERE job_id = ?";
    private static final String PENDING = "SELECT " + COLUMNS + " FROM webhook_deliveries WHERE state = 'PENDING' "
            + "ORDER BY next_attempt_at";
    // deliveries go with their jobs (retention, TTL, purge)

    private DeliveryRows() {
    }

    static void save(Session s, WebhookDelivery d) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE);
        ps.setString(1, d.jobId());
        ps.setString(2, d.webhookId());
        ps.setString(3, d.url());
        ps.setString(4, d.state().name());
        ps.setInt(5, d.attempts());
        if (d.lastStatusCode() == null) {
            ps.setNull(6, Types.INTEGER);
        } else {
            ps.setInt(6, d.lastStatusCode());
        }
        if (d.lastError() == null) {
            ps.setNull(7, Types.VARCHAR);
        } else {
            ps.setString(7, d.lastError());
        }
        if (d.nextAttemptAt() == null) {
            ps.setNull(8, Types.BIGINT);
        } else {
            ps.setLong(8, d.nextAttemptAt().toEpochMilli());
        }
        ps.setLong(9, d.updatedAt().toEpochMilli());
        ps.executeUpdate();
    }

    static Optional<WebhookDelivery> find(Session s, String jobId) throws SQLException {
        PreparedStatement ps = s.prepare(FIND);
        ps.setString(1, jobId);
        List<WebhookDelivery> found = readAll(ps);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    static List<WebhookDelivery> pending(Session s) throws SQLException {
        return readAll(s.prepare(PENDING));
    }


    private static List<WebhookDelivery> readAll(PreparedStatement ps) throws SQLException {
        List<WebhookDelivery> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int status = rs.getInt(6);
                Integer lastStatus = rs.wasNull() ? null : status;
                long next = rs.getLong(8);
                Instant nextAt = rs.wasNull() ? null : Instant.ofEpochMilli(next);
                out.add(new WebhookDelivery(rs.getString(1), rs.getString(2), rs.getString(3),
                        DeliveryState.valueOf(rs.getString(4)), rs.getInt(5), lastStatus, rs.getString(7), nextAt,
                        Instant.ofEpochMilli(rs.getLong(9))));
            }
        }
        return out;
    }
}
