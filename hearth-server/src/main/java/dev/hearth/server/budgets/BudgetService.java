package dev.hearth.server.budgets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.budgets.Admission;
import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.budgets.BudgetPolicy;
import dev.hearth.budgets.BudgetStanding;
import dev.hearth.budgets.BudgetStore;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.webhooks.WebhookTargets;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import dev.hearth.metering.UsageStore;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.SubmitGate;
import dev.hearth.server.metering.UsageSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Enforces budgets. Every accepted job holds a reservation of the most it can cost ({@link PriceCatalog#maxJobCost})
 * until it finishes; a new job is admitted only if, for every budget covering it, {@code spent + reserved + its own
 * maximum <= limit} ({@link BudgetPolicy}). Admission and reservation happen under one lock, so concurrent
 * submissions are decided one after another against the same figures.
 *
 * <p>The guarantee: the job costs of a period never take a budget past its limit, since each job costs at most what
 * it reserved (its execution timeout, for each attempt, at the dearest rate it can run at; the reaper ends an overrun
 * within a fraction of a second). Worker time no job accounts for (cold starts, idle and draining time) also counts
 * as spend and closes the budget to new jobs, but workers already running are not stopped by a budget: that time can
 * add to spend after the cap is reached, up to the functions' idle timeouts. Spend of running workers reaches the
 * budget as their intervals close, at the latest after the recorder's checkpoint period.
 */
public final class BudgetService implements SubmitGate, JobEvents, UsageSink {

    private static final Logger LOG = Logger.getLogger(BudgetService.class.getName());
    /** Money as plain decimals in the webhook's body, as in the API's answers. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final BudgetStore budgetStore;
    private final UsageStore usage;
    private final Supplier<PriceCatalog> catalog;
    private final Runnable flushUsage;
    private final WebhookTargets webhookTargets;
    private final InstantSource clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Object lock = new Object();
    private final Map<Key, Tally> budgets = new LinkedHashMap<>();
    private final Map<String, Reservation> reservations = new HashMap<>();
    private final Map<String, Reserved> reservedByFunction = new HashMap<>();
    private Reserved reservedTotal = Reserved.NONE;

    /**
     * @param flushUsage writes usage closed so far to the store, so that a new budget starts from the true spend
     */
    public BudgetService(BudgetStore budgetStore, UsageStore usage, Supplier<PriceCatalog> catalog,
                         Runnable flushUsage, WebhookTargets webhookTargets, InstantSource clock) {
        this.budgetStore = budgetStore;
        this.webhookTargets = webhookTargets;
        this.usage = usage;
        this.catalog = catalog;
        this.flushUsage = flushUsage;
        this.clock = clock;
    }

    /**
     * At start: loads the budgets and their spend this period from the store, and reserves for the jobs that were
     * accepted before the restart and have not finished.
     */
    public void load(List<Job> unfinished, Function<Job, Optional<FunctionVersion>> functionOf) {
        synchronized (lock) {
            Instant now = clock.instant();
            for (Budget b : budgetStore.listBudgets()) {
                budgets.put(Key.of(b), new Tally(b, b.period().start(now),
                        usage.spentSince(b.function(), b.period().start(now))));
            }
            // Jobs of one function mostly share their limits: one estimate each (price arithmetic on 100,000 queued
            // jobs was a fifth of a restart's time)
            Map<EstimateKey, Money> estimates = new HashMap<>();
            for (Job j : unfinished) {
                functionOf.apply(j).ifPresent(fn -> reserve(j, estimates.computeIfAbsent(new EstimateKey(fn.name(),
                        fn.version(), j.policy().executionTimeout(), j.maxRetries()), k -> estimate(j, fn.manifest()))));
            }
        }
    }

    // ---------------------------------------------------------------- admission

    @Override
    public void admit(Job job, FunctionVersion fn) {
        Money estimate = estimate(job, fn.manifest());
        synchronized (lock) {
            Admission a = BudgetPolicy.admit(standings(job.function()), estimate, clock.instant());
            if (a instanceof Admission.Refused r) {
                throw new HearthException.PaymentRequired(r.message());
            }
            reserve(job, estimate);
        }
    }

    @Override
    public void release(Job job) {
        synchronized (lock) {
            unreserve(job.id());
        }
    }

    @Override
    public void finished(Job job) {
        release(job);
    }

    @Override
    public void removed(Job job) {
        release(job);
    }

    /** What an estimate depends on besides the price catalog, which is read once per {@link #load}. */
    private record EstimateKey(String function, int version, java.time.Duration timeout, int retries) {
    }

    private Money estimate(Job job, FunctionManifest m) {
        return catalog.get().maxJobCost(m.gpu(), m.cpu(), job.policy().executionTimeout(), job.maxRetries());
    }

    private void reserve(Job job, Money estimate) {
        unreserve(job.id());
        Reservation r = new Reservation(job.id(), job.function(), estimate);
        reservations.put(job.id(), r);
        reservedByFunction.merge(job.function(), new Reserved(estimate, 1), Reserved::plus);
        reservedTotal = reservedTotal.plus(new Reserved(estimate, 1));
    }

    private void unreserve(String jobId) {
        Reservation r = reservations.remove(jobId);
        if (r != null) {
            Reserved less = new Reserved(Money.ZERO.minus(r.amount()), -1);
            reservedByFunction.merge(r.function(), less, (a, b) -> {
                Reserved sum = a.plus(b);
                return sum.jobs() == 0 ? null : sum;
            });
            reservedTotal = reservedTotal.plus(less);
        }
    }

    // ---------------------------------------------------------------- spend

    @Override
    public void interval(UsageInterval interval) {
        // busy worker time is counted through the job costs
        if (interval.kind() != UsageKind.BUSY) {
            spend(interval.function(), interval.cost(), interval.end());
        }
    }

    @Override
    public void jobCost(JobCost cost) {
        spend(cost.function(), cost.cost(), cost.end());
    }

    private void spend(String function, Money cost, Instant at) {
        synchronized (lock) {
            Instant now = clock.instant();
            for (Tally t : budgets.values()) {
                if (t.budget.covers(function)) {
                    t.roll(now);
                    if (!at.isBefore(t.periodStart)) {
                        Money before = t.spent;
                        t.spent = t.spent.plus(cost);
                        if (BudgetPolicy.reachedSoft(t.budget, before, t.spent)) {
                            softThresholdReached(t.budget, t.spent, now);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- management

    /** Creates or replaces a budget; its spend this period is read from the recorded usage. */
    public BudgetStanding put(Budget budget) {
        synchronized (lock) {
            budgetStore.saveBudget(budget);
            flushUsage.run();
            Instant now = clock.instant();
            Instant start = budget.period().start(now);
            Tally t = new Tally(budget, start, usage.spentSince(budget.function(), start));
            budgets.put(Key.of(budget), t);
            return standing(t);
        }
    }

    /** @return whether there was such a budget */
    public boolean delete(String function, BudgetPeriod period) {
        synchronized (lock) {
            boolean existed = budgetStore.deleteBudget(function, period);
            budgets.remove(new Key(function, period));
            return existed;
        }
    }

    /** Every budget and where it stands in its current period. */
    public List<BudgetStanding> standings() {
        synchronized (lock) {
            Instant now = clock.instant();
            List<BudgetStanding> out = new ArrayList<>();
            for (Tally t : budgets.values()) {
                t.roll(now);
                out.add(standing(t));
            }
            return out;
        }
    }

    private List<BudgetStanding> standings(String function) {
        Instant now = clock.instant();
        List<BudgetStanding> out = new ArrayList<>();
        for (Tally t : budgets.values()) {
            if (t.budget.covers(function)) {
                t.roll(now);
                out.add(standing(t));
            }
        }
        return out;
    }

    private BudgetStanding standing(Tally t) {
        Reserved r = t.budget.isGlobal() ? reservedTotal
                : reservedByFunction.getOrDefault(t.budget.function(), Reserved.NONE);
        return new BudgetStanding(t.budget, t.spent, r.amount(), r.jobs());
    }

    private void softThresholdReached(Budget b, Money spent, Instant now) {
        Instant resetsAt = b.period().resetsAt(now);
        LOG.warning(b.describe() + " reached its soft threshold: " + spent + " spent of " + b.limit() + " (warning at "
                + b.soft() + "); it resets at " + resetsAt);
        if (b.webhook() == null) {
            return;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("event", "budget.threshold");
        if (b.function() != null) {
            n.put("function", b.function());
        }
        n.put("period", b.period().wire());
        n.put("limit", b.limit().dollars());
        n.put("threshold", b.soft().dollars());
        n.put("spent", spent.dollars());
        n.put("resetsAt", resetsAt.toString());
        String body;
        try {
            body = JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofVirtual().name("budget-webhook").start(() -> {
            try {
                java.util.Optional<String> refused = webhookTargets.refusal(URI.create(b.webhook()),
                        WebhookTargets.SYSTEM);
                if (refused.isPresent()) {
                    LOG.warning("budget webhook " + b.webhook() + " not sent: it " + refused.get());
                    return;
                }
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(b.webhook()))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 != 2) {
                    LOG.info("budget webhook " + b.webhook() + " answered " + r.statusCode());
                }
            } catch (java.io.IOException | IllegalArgumentException e) {
                LOG.info("budget webhook " + b.webhook() + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private record Key(String function, BudgetPeriod period) {
        static Key of(Budget b) {
            return new Key(b.function(), b.period());
        }
    }

    private record Reservation(String jobId, String function, Money amount) {
    }

    private record Reserved(Money amount, int jobs) {
        static final Reserved NONE = new Reserved(Money.ZERO, 0);

        Reserved plus(Reserved o) {
            return new Reserved(amount.plus(o.amount), jobs + o.jobs);
        }
    }

    /** A budget and its spend in the period that began at {@code periodStart}; guarded by the service's lock. */
    private static final class Tally {
        final Budget budget;
        Instant periodStart;
        Money spent;

        Tally(Budget budget, Instant periodStart, Money spent) {
            this.budget = budget;
            this.periodStart = periodStart;
            this.spent = spent;
        }

        void roll(Instant now) {
            Instant start = budget.period().start(now);
            if (start.isAfter(periodStart)) {
                periodStart = start;
                spent = Money.ZERO;
            }
        }
    }
}
