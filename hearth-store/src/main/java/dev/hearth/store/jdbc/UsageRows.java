package dev.hearth.store.jdbc;

import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** SQL for the usage_intervals and job_costs tables. */
final class UsageRows {

    private static final String INTERVAL_COLUMNS = "worker_id, function_name, version, node, gpu_type, gpu_count, "
            + "cpu_cores, tier, kind, started_at, ended_at, cost_nanos";
    private static final String JOB_COLUMNS = "job_id, attempt, function_name, version, worker_id, gpu_type, "
            + "gpu_count, cpu_cores, tier, started_at, ended_at, cost_nanos";
    private static final String INSERT_INTERVAL = "INSERT INTO usage_intervals (" + INTERVAL_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // an attempt written twice (a retried flush) keeps the first; /retry restarts attempt numbers, so the key is the start
    private static final String INSERT_JOB = "INSERT INTO job_costs (" + JOB_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, started_at) DO NOTHING";
    private static final String INTERVALS = "SELECT " + INTERVAL_COLUMNS + " FROM usage_intervals "
            + "WHERE ended_at >= ? AND ended_at < ? ORDER BY ended_at";
    private static final String INTERVALS_OF = "SELECT " + INTERVAL_COLUMNS + " FROM usage_intervals "
            + "WHERE function_name = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at";
    private static final String JOBS = "SELECT " + JOB_COLUMNS + " FROM job_costs "
            + "WHERE ended_at >= ? AND ended_at < ? ORDER BY ended_at";
    private static final String JOBS_OF = "SELECT " + JOB_COLUMNS + " FROM job_costs "
            + "WHERE function_name = ? AND ended_at >= ? AND ended_at < ? ORDER BY ended_at";
    private static final String OVERHEAD_SINCE = "SELECT COALESCE(SUM(cost_nanos), 0) FROM usage_intervals "
            + "WHERE ended_at >= ? AND kind <> 'busy'";
    private static final String OVERHEAD_OF_SINCE = "SELECT COALESCE(SUM(cost_nanos), 0) FROM usage_intervals "
            + "WHERE function_name = ? AND ended_at >= ? AND kind <> 'busy'";
    private static final String JOBS_SINCE = "SELECT COALESCE(SUM(cost_nanos), 0) FROM job_costs WHERE ended_at >= ?";
    private static final String JOBS_OF_SINCE =
            "SELECT COALESCE(SUM(cost_nanos), 0) FROM job_costs WHERE function_name = ? AND ended_at >= ?";

    private UsageRows() {
    }

    static void record(Session s, List<UsageInterval> intervals, List<JobCost> jobs) throws SQLException {
        if (!intervals.isEmpty()) {
            PreparedStatement ps = s.prepare(INSERT_INTERVAL);
            for (UsageInterval i : intervals) {
                ps.setString(1, i.workerId());
                ps.setString(2, i.function());
                ps.setInt(3, i.version());
                ps.setString(4, i.node());
                bindResources(ps, 5, i.resources());
                ps.setString(8, i.tier().wire());
                ps.setString(9, i.kind().wire());
                ps.setLong(10, i.start().toEpochMilli());
                ps.setLong(11, i.end().toEpochMilli());
                ps.setLong(12, i.cost().nanos());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (!jobs.isEmpty()) {
            PreparedStatement ps = s.prepare(INSERT_JOB);
            for (JobCost j : jobs) {
                ps.setString(1, j.jobId());
                ps.setInt(2, j.attempt());
                ps.setString(3, j.function());
                ps.setInt(4, j.version());
                ps.setString(5, j.workerId());
                bindResources(ps, 6, j.resources());
                ps.setString(9, j.tier().wire());
                ps.setLong(10, j.start().toEpochMilli());
                ps.setLong(11, j.end().toEpochMilli());
                ps.setLong(12, j.cost().nanos());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static List<UsageInterval> intervals(Session s, Instant from, Instant to, String function) throws SQLException {
        PreparedStatement ps = range(s, function == null ? INTERVALS : INTERVALS_OF, from, to, function);
        List<UsageInterval> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new UsageInterval(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                        resources(rs, 5), PriceTier.fromWire(rs.getString(8)), UsageKind.fromWire(rs.getString(9)),
                        Instant.ofEpochMilli(rs.getLong(10)), Instant.ofEpochMilli(rs.getLong(11)),
                        new Money(rs.getLong(12))));
            }
        }
        return out;
    }

    static List<JobCost> jobCosts(Session s, Instant from, Instant to, String function) throws SQLException {
        PreparedStatement ps = range(s, function == null ? JOBS : JOBS_OF, from, to, function);
        List<JobCost> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new JobCost(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                        resources(rs, 6), PriceTier.fromWire(rs.getString(9)), Instant.ofEpochMilli(rs.getLong(10)),
                        Instant.ofEpochMilli(rs.getLong(11)), new Money(rs.getLong(12))));
            }
        }
        return out;
    }

    static Money spentSince(Session s, String function, Instant since) throws SQLException {
        return new Money(Math.addExact(sum(s, function == null ? OVERHEAD_SINCE : OVERHEAD_OF_SINCE, function, since),
                sum(s, function == null ? JOBS_SINCE : JOBS_OF_SINCE, function, since)));
    }

    private static long sum(Session s, String sql, String function, Instant since) throws SQLException {
        PreparedStatement ps = s.prepare(sql);
        int i = 1;
        if (function != null) {
            ps.setString(i++, function);
        }
        ps.setLong(i, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static PreparedStatement range(Session s, String sql, Instant from, Instant to, String function)
            throws SQLException {
        PreparedStatement ps = s.prepare(sql);
        int i = 1;
        if (function != null) {
            ps.setString(i++, function);
        }
        ps.setLong(i++, from.toEpochMilli());
        ps.setLong(i, to.toEpochMilli());
        return ps;
    }

    private static void bindResources(PreparedStatement ps, int at, Resources r) throws SQLException {
        if (r.gpuType() == null) {
            ps.setNull(at, Types.VARCHAR);
        } else {
            ps.setString(at, r.gpuType());
        }
        ps.setInt(at + 1, r.gpuCount());
        ps.setDouble(at + 2, r.cpuCores());
    }

    private static Resources resources(ResultSet rs, int at) throws SQLException {
        return new Resources(rs.getString(at), rs.getInt(at + 1), rs.getDouble(at + 2));
    }
}
