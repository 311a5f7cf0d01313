package dev.hearth.store.jdbc;

import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTiming;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Finished jobs' timings only (no inputs or outputs), for latency statistics; uses the finished_at index. */
final class JobTimingRows {

    private static final String FINISHED_SINCE = "SELECT state, queued_at, placed_at, finished_at, cold_start "
            + "FROM jobs WHERE function_name = ? AND finished_at IS NOT NULL AND finished_at >= ? "
            + "ORDER BY finished_at DESC LIMIT ?";

    private JobTimingRows() {
    }

    static List<JobTiming> finishedSince(Session s, String function, Instant since, int limit) throws SQLException {
        PreparedStatement ps = s.prepare(FINISHED_SINCE);
        ps.setString(1, function);
        ps.setLong(2, since.toEpochMilli());
        ps.setInt(3, limit);
        List<JobTiming> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                JobState state = JobState.valueOf(rs.getString(1));
                if (!state.isFinal()) {
                    continue;
                }
                Instant queued = Instant.ofEpochMilli(rs.getLong(2));
                long placed = rs.getLong(3);
                Instant placedAt = rs.wasNull() ? null : Instant.ofEpochMilli(placed);
                out.add(new JobTiming(state, queued, placedAt, Instant.ofEpochMilli(rs.getLong(4)),
                        rs.getBoolean(5)));
            }
        }
        return out;
    }
}
