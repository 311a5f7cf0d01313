package dev.hearth.store.jdbc;

import dev.hearth.functions.FunctionStore;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobStore;
import dev.hearth.jobs.JobTiming;
import dev.hearth.store.SettingsStore;
import dev.hearth.store.StoreException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The store operations, written once for every SQL database. A subclass decides only how reads and writes run: the
 * SQLite store funnels writes through one group-committing writer, the PostgreSQL store gives each its own
 * transaction. Failures surface as {@link StoreException}s that name the store and the operation.
 *
 * <p>The function registry is the {@link #functions()} view: a class cannot implement both {@link JobStore} and
 * {@link FunctionStore}, whose {@code delete(String)} methods clash.
 */
public abstract class JdbcStore implements JobStore, SettingsStore {

    private static final boolean POINT = true;
    private static final boolean SCAN = false;

    private final String description;
    private final FunctionStore functions = new Functions();
    private volatile boolean closed;

    /** @param description names the store in messages, e.g. {@code SQLite store /var/lib/hearth/hearth.db} */
    protected JdbcStore(String description) {
        this.description = description;
    }

    /** The registry of deployed functions, stored in the same database as the jobs. */
    public final FunctionStore functions() {
        return functions;
    }

    /**
     * Runs a read. Reads may run concurrently with each other and with writes.
     *
     * @param pointLookup whether the read fetches at most one row by key, so that it takes microseconds whatever the
     *                    size of the database; listings and counts are not
     */
    protected abstract <T> T runRead(Work<T> work, boolean pointLookup) throws SQLException;

    /** Runs a write atomically; returns only once it is durable. */
    protected abstract <T> T runWrite(Work<T> work) throws SQLException;

    /** Completes pending writes and releases connections; called once, after new calls are already refused. */
    protected abstract void shutdown();

    @Override
    public final void insert(Job job) {
        Objects.requireNonNull(job, "job");
        write("insert job", job.id(), s -> {
            JobRows.insert(s, job);
            return null;
        });
    }

    @Override
    public final boolean update(Job next) {
        Objects.requireNonNull(next, "next");
        return write("update job", next.id(), s -> JobRows.update(s, next));
    }

    @Override
    public final List<Boolean> updateAll(List<Job> next) {
        List<Job> jobs = List.copyOf(next);
        if (jobs.isEmpty()) {
            return List.of();
        }
        return write("update jobs", jobs.size() + " of them", s -> JobRows.updateAll(s, jobs));
    }

    @Override
    public final Optional<Job> find(String id) {
        Objects.requireNonNull(id, "id");
        return read("find job", id, POINT, s -> JobRows.find(s, id));
    }

    @Override
    public final List<Job> findByStates(Collection<JobState> states) {
        if (states.isEmpty()) {
            return List.of();
        }
        return read("find jobs in states", states.toString(), SCAN, s -> JobRows.findByStates(s, states));
    }

    @Override
    public final List<Job> findByFunction(String function, Set<JobState> states, int limit) {
        Objects.requireNonNull(function, "function");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        return read("find jobs of function", function, SCAN, s -> JobRows.findByFunction(s, function, states, limit));
    }

    /** {@inheritDoc} Every state is present in the answer, with 0 where there is no job. */
    @Override
    public final Map<JobState, Long> countByState(String function) {
        Objects.requireNonNull(function, "function");
        return read("count jobs of function", function, SCAN, s -> JobRows.countByState(s, function));
    }

    @Override
    public final List<JobTiming> finishedSince(String function, Instant since, int limit) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(since, "since");
        if (limit <= 0) {
            return List.of();
        }
        return read("read job timings of function", function, SCAN,
                s -> JobTimingRows.finishedSince(s, function, since, limit));
    }

    @Override
    public final boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return write("delete job", id, s -> JobRows.delete(s, id));
    }

    @Override
    public final int deleteFinishedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return write("delete jobs finished before", cutoff.toString(), s -> JobRows.deleteFinishedBefore(s, cutoff));
    }

    @Override
    public final Optional<String> get(String key) {
        Objects.requireNonNull(key, "key");
        return read("read setting", key, POINT, s -> SettingRows.get(s, key));
    }

    @Override
    public final void put(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        write("write setting", key, s -> {
            SettingRows.put(s, key, value);
            return null;
        });
    }

    /** Refuses further calls, lets writes already accepted finish, and releases the connections. Idempotent. */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutdown();
    }

    public final boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * The deployed functions, kept in the same database. A view rather than an interface of this class because
     * {@link JobStore#delete(String)} and {@link FunctionStore#delete(String)} have the same signature.
     */
    private final class Functions implements FunctionStore {

        /**
         * {@inheritDoc}
         *
         * @throws dev.hearth.errors.HearthException.Conflict if the version does not follow the latest stored one
         */
        @Override
        public void save(FunctionVersion version) {
            Objects.requireNonNull(version, "version");
            write("save function", version.name() + " version " + version.version(), s -> {
                FunctionRows.save(s, version);
                return null;
            });
        }

        @Override
        public Optional<FunctionVersion> latest(String name) {
            Objects.requireNonNull(name, "name");
            return read("find latest version of function", name, POINT, s -> FunctionRows.latest(s, name));
        }

        @Override
        public Optional<FunctionVersion> find(String name, int version) {
            Objects.requireNonNull(name, "name");
            return read("find function", name + " version " + version, POINT,
                    s -> FunctionRows.find(s, name, version));
        }

        @Override
        public List<FunctionVersion> listLatest() {
            return read("list functions", null, SCAN, FunctionRows::listLatest);
        }

        @Override
        public boolean delete(String name) {
            Objects.requireNonNull(name, "name");
            return write("delete function", name, s -> FunctionRows.delete(s, name));
        }
    }

    private <T> T read(String operation, String subject, boolean pointLookup, Work<T> work) {
        if (closed) {
            throw closedError(operation, subject, null);
        }
        try {
            return runRead(work, pointLookup);
        } catch (SQLException e) {
            throw failure(operation, subject, e);
        }
    }

    private <T> T write(String operation, String subject, Work<T> work) {
        if (closed) {
            throw closedError(operation, subject, null);
        }
        try {
            return runWrite(work);
        } catch (SQLException e) {
            throw failure(operation, subject, e);
        }
    }

    private StoreException failure(String operation, String subject, SQLException e) {
        if (closed) {
            // the store was closed under the call; that, not the driver's complaint about it, is the news
            return closedError(operation, subject, e);
        }
        return new StoreException(description + ": could not " + what(operation, subject) + ": " + e.getMessage(), e);
    }

    private StoreException closedError(String operation, String subject, Throwable cause) {
        return new StoreException(description + " is closed; cannot " + what(operation, subject), cause);
    }

    private static String what(String operation, String subject) {
        return subject == null ? operation : operation + " " + subject;
    }
}
