package dev.hearth.store.jdbc;

import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertRule;
import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.audit.AuditEntry;
import dev.hearth.audit.AuditStore;
import dev.hearth.budgets.BudgetStore;
import dev.hearth.functions.BundleBlobStore;
import dev.hearth.functions.FunctionStore;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventStore;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobStore;
import dev.hearth.jobs.JobTiming;
import dev.hearth.releases.Release;
import dev.hearth.releases.ReleaseStore;
import dev.hearth.secrets.SealedSecret;
import dev.hearth.secrets.SecretStore;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageStore;
import dev.hearth.store.HearthStore;
import dev.hearth.errors.HearthException;
import dev.hearth.store.StoreException;
import dev.hearth.webhooks.WebhookDelivery;
import dev.hearth.webhooks.WebhookDeliveryStore;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The store operations, written once for every SQL database. A subclass decides only how reads and writes run: the
 * SQLite store funnels writes through one group-committing writer, the PostgreSQL store gives each its own
 * transaction. Failures surface as {@link StoreException}s that name the store and the operation.
 *
 * <p>The function registry is the {@link #functions()} view: a class cannot implement both {@link JobStore} and
 * {@link FunctionStore}, whose {@code delete(String)} methods clash.
 */
public abstract class JdbcStore implements HearthStore {

    private static final boolean POINT = true;
    private static final boolean SCAN = false;

    private final String description;
    private final FunctionStore functions = new Functions();
    private final WebhookDeliveryStore deliveries = new Deliveries();
    private final ReleaseStore releases = new Releases();
    private final BundleBlobStore bundles = new Bundles();
    private volatile boolean closed;

    /** @param description names the store in messages, e.g. {@code SQLite store /var/lib/hearth/hearth.db} */
    protected JdbcStore(String description) {
        this.description = description;
    }

    /** The registry of deployed functions, stored in the same database as the jobs. */
    public final FunctionStore functions() {
        return functions;
    }

    /** Webhook delivery records, stored in the same database as the jobs. */
    public final WebhookDeliveryStore deliveries() {
        return deliveries;
    }

    /** The release history of each function (active version, canary), stored in the same database. */
    public final ReleaseStore releases() {
        return releases;
    }

    /** Code bundles kept in the database (the bundles table); see {@link #sharedBundles()}. */
    public final BundleBlobStore bundles() {
        return bundles;
    }

    /** {@inheritDoc} None here: a store that nodes share says so by overriding this with {@link #bundles()}. */
    @Override
    public Optional<BundleBlobStore> sharedBundles() {
        return Optional.empty();
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

    /**
     * Queues a write to run atomically after the writes queued before it, without waiting for it to be durable. A
     * store without a write queue runs it now.
     */
    protected <T> CompletableFuture<T> runWriteLater(Work<T> work) {
        try {
            return CompletableFuture.completedFuture(runWrite(work));
        } catch (SQLException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether a failure means that the database's storage is full (SQLite's {@code SQLITE_FULL}, PostgreSQL's
     * {@code disk_full}): such writes are refused with {@link HearthException.InsufficientStorage} (507), not as an
     * unexpected error, since the same request succeeds once space is freed.
     */
    protected boolean storageFull(SQLException e) {
        return false;
    }

    /** Completes pending writes and releases connections; called once, after new calls are already refused. */
    protected abstract void shutdown();

    @Override
    public final void insert(Job job) {
        Objects.requireNonNull(job, "job");
        run("insert job", job.id(), s -> JobRows.insert(s, job));
    }

    @Override
    public final IdempotencyKey.Claim insert(Job job, IdempotencyKey key) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(key, "key");
        return write("insert job with idempotency key", job.id(), s -> JobRows.insert(s, job, key));
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
    public final CompletableFuture<List<Boolean>> updateAllLater(List<Job> next) {
        List<Job> jobs = List.copyOf(next);
        if (jobs.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        if (closed) {
            return CompletableFuture.failedFuture(closedError("update jobs", jobs.size() + " of them", null));
        }
        return runWriteLater((Work<List<Boolean>>) s -> JobRows.updateAll(s, jobs)).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(e instanceof SQLException se
                        ? failure("update jobs", jobs.size() + " of them", se) : e));
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
    public final List<Job> search(JobSearch search) {
        if (search.limit() == 0) {
            return List.of();
        }
        return read("search jobs", search.function() == null ? "all functions" : search.function(), SCAN,
                s -> JobRows.search(s, search));
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
        return write("delete jobs finished before", cutoff.toString(),
                s -> JobRows.deleteFinishedBefore(s, cutoff));
    }

    @Override
    public final Map<String, Map<JobState, Long>> countFinishedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return read("count jobs finished before", cutoff.toString(), SCAN, s -> JobRows.countFinishedBefore(s, cutoff));
    }

    @Override
    public final void appendEvents(List<JobEvent> events) {
        List<JobEvent> copy = List.copyOf(events);
        if (copy.isEmpty()) {
            return;
        }
        run("append job events", copy.size() + " of them", s -> JobEventRows.append(s, copy));
    }

    @Override
    public final List<JobEvent> events(String jobId) {
        Objects.requireNonNull(jobId, "jobId");
        // a handful of rows by index: as cheap as a point lookup
        return read("read timeline of job", jobId, POINT, s -> JobEventRows.find(s, jobId));
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
        run("write setting", key, s -> SettingRows.put(s, key, value));
    }

    @Override
    public final void record(List<UsageInterval> intervals, List<JobCost> jobCosts) {
        List<UsageInterval> is = List.copyOf(intervals);
        List<JobCost> js = List.copyOf(jobCosts);
        if (is.isEmpty() && js.isEmpty()) {
            return;
        }
        run("record usage", is.size() + " intervals and " + js.size() + " job costs",
                s -> UsageRows.record(s, is, js));
    }

    @Override
    public final List<UsageInterval> intervals(Instant from, Instant to, String function) {
        return read("read usage intervals", function, SCAN, s -> UsageRows.intervals(s, from, to, function));
    }

    @Override
    public final List<JobCost> jobCosts(Instant from, Instant to, String function) {
        return read("read job costs", function, SCAN, s -> UsageRows.jobCosts(s, from, to, function));
    }

    @Override
    public final Money spentSince(String function, Instant since) {
        Objects.requireNonNull(since, "since");
        return read("sum spend", function, SCAN, s -> UsageRows.spentSince(s, function, since));
    }

    @Override
    public final void append(AuditEntry entry) {
        write("append audit entry", entry.action(), s -> {
            AuditRows.append(s, entry);
            return null;
        });
    }

    @Override
    public final List<AuditEntry> entries(String function, String action, String key, Instant since, int limit) {
        return read("read audit log", function, SCAN, s -> AuditRows.entries(s, function, action, key, since, limit));
    }

    @Override
    public final int deleteBefore(Instant cutoff) {
        return write("delete audit entries before", cutoff.toString(), s -> AuditRows.deleteBefore(s, cutoff));
    }

    @Override
    public final List<Budget> listBudgets() {
        return read("list budgets", null, SCAN, BudgetRows::list);
    }

    @Override
    public final void saveBudget(Budget budget) {
        Objects.requireNonNull(budget, "budget");
        run("save budget", budget.describe(), s -> BudgetRows.save(s, budget));
    }

    @Override
    public final boolean deleteBudget(String function, BudgetPeriod period) {
        Objects.requireNonNull(period, "period");
        return write("delete budget", function == null ? "global" : function, s -> BudgetRows.delete(s, function,
                period));
    }

    @Override
    public final List<AlertRule> listAlertRules() {
        return read("list alert rules", null, SCAN, AlertRows::rules);
    }

    @Override
    public final void saveAlertRule(AlertRule rule) {
        Objects.requireNonNull(rule, "rule");
        run("save alert rule", rule.name(), s -> AlertRows.save(s, rule));
    }

    @Override
    public final boolean deleteAlertRule(String name) {
        Objects.requireNonNull(name, "name");
        return write("delete alert rule", name, s -> AlertRows.delete(s, name));
    }

    @Override
    public final void saveAlertEvent(AlertEvent event) {
        Objects.requireNonNull(event, "event");
        run("save alert event", event.rule(), s -> AlertRows.save(s, event));
    }

    @Override
    public final List<AlertEvent> alertEvents(String rule, int limit) {
        return read("read alert events", rule, SCAN, s -> AlertRows.events(s, rule, limit));
    }

    @Override
    public final List<SealedSecret> listSecrets() {
        return read("list secrets", null, SCAN, SecretRows::list);
    }

    @Override
    public final Optional<SealedSecret> findSecret(String name) {
        Objects.requireNonNull(name, "name");
        return read("find secret", name, POINT, s -> SecretRows.find(s, name));
    }

    @Override
    public final void saveSecret(SealedSecret secret) {
        Objects.requireNonNull(secret, "secret");
        run("save secret", secret.name(), s -> SecretRows.save(s, secret));
    }

    @Override
    public final boolean deleteSecret(String name) {
        Objects.requireNonNull(name, "name");
        return write("delete secret", name, s -> SecretRows.delete(s, name));
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
            run("save function", version.name() + " version " + version.version(),
                    s -> FunctionRows.save(s, version));
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
        public List<FunctionVersion> versions(String name) {
            Objects.requireNonNull(name, "name");
            return read("list versions of function", name, SCAN, s -> FunctionRows.versions(s, name));
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

    /** The webhook deliveries, a view for the same reason as {@link Functions}. */
    private final class Deliveries implements WebhookDeliveryStore {

        @Override
        public void save(WebhookDelivery delivery) {
            Objects.requireNonNull(delivery, "delivery");
            run("save webhook delivery", delivery.jobId(), s -> DeliveryRows.save(s, delivery));
        }

        @Override
        public Optional<WebhookDelivery> find(String jobId) {
            Objects.requireNonNull(jobId, "jobId");
            return read("find webhook delivery", jobId, POINT, s -> DeliveryRows.find(s, jobId));
        }

        @Override
        public List<WebhookDelivery> pending() {
            return read("list pending webhook deliveries", null, SCAN, DeliveryRows::pending);
        }
    }

    /** The release histories: a view for the same reason as {@link Functions}. */
    private final class Releases implements ReleaseStore {

        @Override
        public void append(Release release) {
            Objects.requireNonNull(release, "release");
            run("record release of function", release.function(), s -> ReleaseRows.append(s, release));
        }

        @Override
        public List<Release> history(String function) {
            Objects.requireNonNull(function, "function");
            return read("read releases of function", function, SCAN, s -> ReleaseRows.history(s, function));
        }

        @Override
        public void deleteHistory(String function) {
            Objects.requireNonNull(function, "function");
            write("delete releases of function", function, s -> ReleaseRows.delete(s, function));
        }
    }

    /** The code bundles: a view for the same reason as {@link Functions}. */
    private final class Bundles implements BundleBlobStore {

        @Override
        public void save(String sha256, byte[] zip) {
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(zip, "zip");
            run("save bundle", sha256, s -> BundleRows.save(s, sha256, zip));
        }

        @Override
        public Optional<byte[]> find(String sha256) {
            Objects.requireNonNull(sha256, "sha256");
            return read("find bundle", sha256, POINT, s -> BundleRows.find(s, sha256));
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

    /** A write that returns nothing. */
    @FunctionalInterface
    private interface Step {
        void run(Session session) throws SQLException;
    }

    private void run(String operation, String subject, Step step) {
        write(operation, subject, s -> {
            step.run(s);
            return null;
        });
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

    private RuntimeException failure(String operation, String subject, SQLException e) {
        if (closed) {
            // the store was closed under the call; that, not the driver's complaint about it, is the news
            return closedError(operation, subject, e);
        }
        if (storageFull(e)) {
            // for the caller, who cannot see the server's disk: the server log says which store (GroupCommitWriter)
            return new HearthException.InsufficientStorage("the server's disk is full: could not " + operation
                    + ", and nothing was changed; retry once space is freed on the server (it recovers without a "
                    + "restart)");
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
