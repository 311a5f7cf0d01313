package dev.hearth.store.jdbc;

import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobPolicy;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** SQL for the jobs table and the mapping between its rows and {@link Job}. */
final class JobRows {

    /** Every column but {@code id}, in the order {@link #bindFields} binds and {@link #read} reads them. */
    private static final List<String> FIELDS = List.of("function_name", "version", "state", "input", "output",
            "error", "webhook", "execution_timeout_ms", "ttl_ms", "low_priority", "attempts", "max_retries",
            "worker_id", "lease_expires_at", "queued_at", "placed_at", "finished_at", "cold_start", "init_time_ms",
            "revision", "run_after");
    private static final int ID_AND_FIELDS = FIELDS.size() + 1;

    private static final String SELECT = "SELECT id, " + String.join(", ", FIELDS) + " FROM jobs ";
    private static final String INSERT = "INSERT INTO jobs (id, " + String.join(", ", FIELDS) + ") VALUES ("
            + placeholders(ID_AND_FIELDS) + ")";
    private static final String UPDATE = "UPDATE jobs SET "
            + FIELDS.stream().map(f -> f + " = ?").collect(Collectors.joining(", "))
            + " WHERE id = ? AND revision = ?";
    private static final String FIND = SELECT + "WHERE id = ?";
    // the key columns are written once, at insert, and never by UPDATE: a key stays with its job until deletion
    private static final String INSERT_KEYED = "INSERT INTO jobs (id, " + String.join(", ", FIELDS)
            + ", idempotency_key, request_sha256) VALUES (" + placeholders(ID_AND_FIELDS + 2) + ") "
            + "ON CONFLICT (function_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
    private static final String FIND_KEYED = SELECT.replace(" FROM jobs ", ", request_sha256 FROM jobs ")
            + "WHERE function_name = ? AND idempotency_key = ?";
    /*
     * One statement for every set of states: the IN list always has a slot per state, and unused slots repeat a
     * state already asked for. That keeps the number of cached statements fixed.
     */
    private static final int STATE_SLOTS = JobState.values().length;
    private static final String BY_STATES = SELECT + "WHERE state IN (" + placeholders(STATE_SLOTS) + ") "
            + "ORDER BY queued_at, id";
    /*
     * Listings: one statement per combination of "one function or all" and "some states or any", so the planner picks
     * the function index when there is a function and never prefers the state index without a state filter. The
     * submission window is always bound (0 and Long.MAX_VALUE when open), which keeps the number of statements fixed.
     */
    private static final String SUBMITTED_IN = "queued_at >= ? AND queued_at < ? ";
    private static final String NEWEST_FIRST = "ORDER BY queued_at DESC, id DESC LIMIT ?";
    private static final String STATES_IN = "state IN (" + placeholders(STATE_SLOTS) + ") ";
    private static final String SEARCH_FUNCTION = SELECT + "WHERE function_name = ? AND " + SUBMITTED_IN + NEWEST_FIRST;
    private static final String SEARCH_FUNCTION_STATES = SELECT + "WHERE function_name = ? AND " + STATES_IN + "AND "
            + SUBMITTED_IN + NEWEST_FIRST;
    private static final String SEARCH_ALL = SELECT + "WHERE " + SUBMITTED_IN + NEWEST_FIRST;
    private static final String SEARCH_ALL_STATES = SELECT + "WHERE " + STATES_IN + "AND " + SUBMITTED_IN
            + NEWEST_FIRST;
    private static final String COUNT_BY_STATE =
            "SELECT state, COUNT(*) FROM jobs WHERE function_name = ? GROUP BY state";
    private static final String DELETE = "DELETE FROM jobs WHERE id = ?";
    /** The jobs that result retention removes; one parameter, the cutoff in epoch ms. */
    private static final String FINISHED_BEFORE = "finished_at < ? AND state IN ("
            + Arrays.stream(JobState.values()).filter(JobState::isFinal).map(s -> "'" + s.name() + "'")
                    .collect(Collectors.joining(", ")) + ")";
    private static final String DELETE_FINISHED = "DELETE FROM jobs WHERE " + FINISHED_BEFORE;
    private static final String COUNT_FINISHED_BEFORE = "SELECT function_name, state, COUNT(*) FROM jobs WHERE "
            + FINISHED_BEFORE + " GROUP BY function_name, state";
    /** Tables whose rows belong to one job (by {@code job_id}) and go when it goes. */
    private static final List<String> JOB_CHILDREN = List.of("job_events", "webhook_deliveries");

    private JobRows() {
    }

    static void insert(Session s, Job job) throws SQLException {
        PreparedStatement ps = s.prepare(INSERT);
        ps.setString(1, job.id());
        bindFields(ps, 2, job);
        ps.executeUpdate();
    }

    /** Inserts the job unless its function already has a job with the key; returns the job holding the key. */
    static IdempotencyKey.Claim insert(Session s, Job job, IdempotencyKey key) throws SQLException {
        PreparedStatement ps = s.prepare(INSERT_KEYED);
        ps.setString(1, job.id());
        int i = bindFields(ps, 2, job);
        ps.setString(i++, key.key());
        ps.setString(i, key.requestHash());
        if (ps.executeUpdate() == 1) {
            return new IdempotencyKey.Claim(job, key.requestHash(), true);
        }
        PreparedStatement find = s.prepare(FIND_KEYED);
        find.setString(1, job.function());
        find.setString(2, key.key());
        try (ResultSet rs = find.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("idempotency key '" + key.key() + "' conflicted but no job holds it");
            }
            return new IdempotencyKey.Claim(read(rs), rs.getString(ID_AND_FIELDS + 1), false);
        }
    }

    static boolean update(Session s, Job next) throws SQLException {
        PreparedStatement ps = s.prepare(UPDATE);
        bindUpdate(ps, next);
        return ps.executeUpdate() == 1;
    }

    /** Runs all updates as one batch; the caller provides the transaction. */
    static List<Boolean> updateAll(Session s, List<Job> next) throws SQLException {
        // Always touching rows in id order means two nodes updating overlapping sets cannot deadlock (PostgreSQL).
        int[] order = IntStream.range(0, next.size()).boxed()
                .sorted(Comparator.comparing(i -> next.get(i).id()))
                .mapToInt(Integer::intValue).toArray();
        PreparedStatement ps = s.prepare(UPDATE);
        for (int i : order) {
            bindUpdate(ps, next.get(i));
            ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        Boolean[] applied = new Boolean[next.size()];
        for (int k = 0; k < order.length; k++) {
            applied[order[k]] = counts[k] == 1;
        }
        return List.of(applied);
    }

    static Optional<Job> find(Session s, String id) throws SQLException {
        PreparedStatement ps = s.prepare(FIND);
        ps.setString(1, id);
        List<Job> jobs = readAll(ps);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.getFirst());
    }

    static List<Job> findByStates(Session s, Collection<JobState> states) throws SQLException {
        PreparedStatement ps = s.prepare(BY_STATES);
        bindStates(ps, 1, states);
        return readAll(ps);
    }

    static List<Job> search(Session s, JobSearch q) throws SQLException {
        boolean byFunction = q.function() != null;
        boolean byState = !q.states().isEmpty();
        PreparedStatement ps = s.prepare(byFunction
                ? (byState ? SEARCH_FUNCTION_STATES : SEARCH_FUNCTION)
                : (byState ? SEARCH_ALL_STATES : SEARCH_ALL));
        int next = 1;
        if (byFunction) {
            ps.setString(next++, q.function());
        }
        if (byState) {
            next = bindStates(ps, next, q.states());
        }
        ps.setLong(next++, q.submittedFrom() == null ? 0 : q.submittedFrom().toEpochMilli());
        ps.setLong(next++, q.submittedTo() == null ? Long.MAX_VALUE : q.submittedTo().toEpochMilli());
        ps.setInt(next, q.limit());
        return readAll(ps);
    }

    /** Counts for every state, zero included, so that callers can read any state without a null check. */
    static Map<JobState, Long> countByState(Session s, String function) throws SQLException {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            counts.put(state, 0L);
        }
        PreparedStatement ps = s.prepare(COUNT_BY_STATE);
        ps.setString(1, function);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
            }
        }
        return Collections.unmodifiableMap(counts);
    }

    /** Deletes the job and the rows that belong to it. */
    static boolean delete(Session s, String id) throws SQLException {
        for (String child : JOB_CHILDREN) {
            PreparedStatement c = s.prepare("DELETE FROM " + child + " WHERE job_id = ?");
            c.setString(1, id);
            c.executeUpdate();
        }
        PreparedStatement ps = s.prepare(DELETE);
        ps.setString(1, id);
        return ps.executeUpdate() > 0;
    }

    static Map<String, Map<JobState, Long>> countFinishedBefore(Session s, Instant cutoff) throws SQLException {
        Map<String, Map<JobState, Long>> counts = new java.util.HashMap<>();
        PreparedStatement ps = s.prepare(COUNT_FINISHED_BEFORE);
        ps.setLong(1, cutoff.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.computeIfAbsent(rs.getString(1), f -> new EnumMap<>(JobState.class))
                        .put(JobState.valueOf(rs.getString(2)), rs.getLong(3));
            }
        }
        return counts;
    }

    /** Deletes final jobs that finished before the cutoff, and the rows that belong to them. */
    static int deleteFinishedBefore(Session s, Instant cutoff) throws SQLException {
        for (String child : JOB_CHILDREN) {
            PreparedStatement c = s.prepare("DELETE FROM " + child + " WHERE job_id IN (SELECT id FROM jobs WHERE "
                    + FINISHED_BEFORE + ")");
            c.setLong(1, cutoff.toEpochMilli());
            c.executeUpdate();
        }
        PreparedStatement ps = s.prepare(DELETE_FINISHED);
        ps.setLong(1, cutoff.toEpochMilli());
        return ps.executeUpdate();
    }

    private static void bindUpdate(PreparedStatement ps, Job next) throws SQLException {
        int i = bindFields(ps, 1, next);
        ps.setString(i++, next.id());
        ps.setLong(i, next.revision() - 1);
    }

    /** Binds every field but the id from parameter {@code i} on; returns the next free parameter index. */
    private static int bindFields(PreparedStatement ps, int i, Job job) throws SQLException {
        ps.setString(i++, job.function());
        ps.setInt(i++, job.version());
        ps.setString(i++, job.state().name());
        ps.setString(i++, job.input());
        text(ps, i++, job.output());
        text(ps, i++, job.error());
        text(ps, i++, job.webhook());
        ps.setLong(i++, job.policy().executionTimeout().toMillis());
        ps.setLong(i++, job.policy().ttl().toMillis());
        ps.setBoolean(i++, job.policy().lowPriority());
        ps.setInt(i++, job.attempts());
        ps.setInt(i++, job.maxRetries());
        text(ps, i++, job.workerId());
        millis(ps, i++, job.leaseExpiresAt());
        ps.setLong(i++, job.queuedAt().toEpochMilli());
        millis(ps, i++, job.placedAt());
        millis(ps, i++, job.finishedAt());
        ps.setBoolean(i++, job.coldStart());
        ps.setLong(i++, job.initTimeMs());
        ps.setLong(i++, job.revision());
        millis(ps, i++, job.runAfter());
        return i;
    }

    private static List<Job> readAll(PreparedStatement ps) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                jobs.add(read(rs));
            }
        }
        return jobs;
    }

    private static Job read(ResultSet rs) throws SQLException {
        int i = 1;
        String id = rs.getString(i++);
        String function = rs.getString(i++);
        int version = rs.getInt(i++);
        JobState state = JobState.valueOf(rs.getString(i++));
        String input = rs.getString(i++);
        String output = rs.getString(i++);
        String error = rs.getString(i++);
        String webhook = rs.getString(i++);
        Duration executionTimeout = Duration.ofMillis(rs.getLong(i++));
        Duration ttl = Duration.ofMillis(rs.getLong(i++));
        boolean lowPriority = rs.getBoolean(i++);
        int attempts = rs.getInt(i++);
        int maxRetries = rs.getInt(i++);
        String workerId = rs.getString(i++);
        Instant leaseExpiresAt = instant(rs, i++);
        Instant queuedAt = Instant.ofEpochMilli(rs.getLong(i++));
        Instant placedAt = instant(rs, i++);
        Instant finishedAt = instant(rs, i++);
        boolean coldStart = rs.getBoolean(i++);
        long initTimeMs = rs.getLong(i++);
        long revision = rs.getLong(i++);
        Instant runAfter = instant(rs, i);
        return new Job(id, function, version, state, input, output, error, webhook,
                new JobPolicy(executionTimeout, ttl, lowPriority), attempts, maxRetries, workerId, leaseExpiresAt,
                queuedAt, placedAt, finishedAt, coldStart, initTimeMs, revision, runAfter);
    }

    private static int bindStates(PreparedStatement ps, int i, Collection<JobState> states) throws SQLException {
        Set<JobState> distinct = EnumSet.copyOf(states);
        JobState filler = distinct.iterator().next();
        for (JobState state : distinct) {
            ps.setString(i++, state.name());
        }
        for (int k = distinct.size(); k < STATE_SLOTS; k++) {
            ps.setString(i++, filler.name());
        }
        return i;
    }

    private static void text(PreparedStatement ps, int i, String value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, value);
        }
    }

    private static void millis(PreparedStatement ps, int i, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, value.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        long value = rs.getLong(i);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
