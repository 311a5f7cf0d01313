package dev.hearth.store.jdbc;

import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for the job_events table: an append-only list of timeline steps per job, removed together with the job. One
 * row per event rather than a list column on the job row, so that recording a step is one small insert and never a
 * read-modify-write of the (compare-and-set) job row.
 */
final class JobEventRows {

    /** Details are messages for people; a runaway error text must not bloat the table. */
    static final int MAX_DETAIL = 2000;

    private static final String INSERT = "INSERT INTO job_events (job_id, seq, at, type, attempt, worker_id, node, "
            + "version, cold_start, init_time_ms, log_offset, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String BY_JOB = "SELECT job_id, seq, at, type, attempt, worker_id, node, version, "
            + "cold_start, init_time_ms, log_offset, detail FROM job_events WHERE job_id = ? ORDER BY at, seq";

    private JobEventRows() {
    }

    static void append(Session s, List<JobEvent> events) throws SQLException {
        PreparedStatement ps = s.prepare(INSERT);
        for (JobEvent e : events) {
            int i = 1;
            ps.setString(i++, e.jobId());
            ps.setLong(i++, e.seq());
            ps.setLong(i++, e.at().toEpochMilli());
            ps.setString(i++, e.type().wire());
            ps.setInt(i++, e.attempt());
            text(ps, i++, e.workerId());
            text(ps, i++, e.node());
            if (e.version() == null) {
                ps.setNull(i++, Types.INTEGER);
            } else {
                ps.setInt(i++, e.version());
            }
            if (e.coldStart() == null) {
                ps.setNull(i++, Types.BOOLEAN);
            } else {
                ps.setBoolean(i++, e.coldStart());
            }
            number(ps, i++, e.initTimeMs());
            number(ps, i++, e.logOffset());
            String detail = e.detail();
            text(ps, i, detail != null && detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..."
                    : detail);
            ps.addBatch();
        }
        ps.executeBatch();
    }

    static List<JobEvent> find(Session s, String jobId) throws SQLException {
        PreparedStatement ps = s.prepare(BY_JOB);
        ps.setString(1, jobId);
        List<JobEvent> events = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int version = rs.getInt(8);
                Integer v = rs.wasNull() ? null : version;
                boolean cold = rs.getBoolean(9);
                Boolean c = rs.wasNull() ? null : cold;
                events.add(new JobEvent(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)),
                        JobEventType.fromWire(rs.getString(4)), rs.getInt(5), rs.getString(6), rs.getString(7), v, c,
                        longOrNull(rs, 10), longOrNull(rs, 11), rs.getString(12)));
            }
        }
        return events;
    }



    private static void text(PreparedStatement ps, int i, String value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, value);
        }
    }

    private static void number(PreparedStatement ps, int i, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, value);
        }
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
