package dev.hearth.metering;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Sums usage intervals and job costs into report lines. Pure. */
public final class UsageReport {

    private UsageReport() {
    }

    /** Lines by group, sorted by key. */
    public static List<UsageLine> group(List<UsageInterval> intervals, List<JobCost> jobCosts, UsageGrouping by) {
        Map<String, Acc> groups = new TreeMap<>();
        if (by != UsageGrouping.JOB) {
            Function<UsageInterval, String> key = switch (by) {
                case FUNCTION -> UsageInterval::function;
                case VERSION -> i -> i.function() + "@" + i.version();
                case DAY -> i -> day(i.end().atZone(ZoneOffset.UTC).toLocalDate());
                case WORKER -> UsageInterval::workerId;
                case JOB -> throw new AssertionError();
            };
            intervals.forEach(i -> groups.computeIfAbsent(key.apply(i), Acc::new).add(i));
        }
        Function<JobCost, String> jobKey = switch (by) {
            case FUNCTION -> JobCost::function;
            case VERSION -> j -> j.function() + "@" + j.version();
            case DAY -> j -> day(j.end().atZone(ZoneOffset.UTC).toLocalDate());
            case WORKER -> JobCost::workerId;
            case JOB -> JobCost::jobId;
        };
        jobCosts.forEach(j -> groups.computeIfAbsent(jobKey.apply(j), Acc::new).add(j));
        return groups.values().stream().map(Acc::line).toList();
    }

    /** One line over everything, keyed {@code total}. */
    public static UsageLine total(List<UsageInterval> intervals, List<JobCost> jobCosts) {
        Acc acc = new Acc("total");
        intervals.forEach(acc::add);
        jobCosts.forEach(acc::add);
        return acc.line();
    }

    private static String day(LocalDate d) {
        return d.toString();
    }

    private static final class Acc {
        final String key;
        final Map<UsageKind, Money> cost = new EnumMap<>(UsageKind.class);
        final Map<UsageKind, Long> millis = new EnumMap<>(UsageKind.class);
        long billedGpu;
        long busyGpu;
        final Set<String> jobs = new HashSet<>();
        Money jobCost = Money.ZERO;
        long jobMillis;

        Acc(String key) {
            this.key = key;
        }

        void add(UsageInterval i) {
            cost.merge(i.kind(), i.cost(), Money::plus);
            millis.merge(i.kind(), i.millis(), Long::sum);
            billedGpu += i.gpuMillis();
            if (i.kind() == UsageKind.BUSY) {
                busyGpu += i.gpuMillis();
            }
        }

        void add(JobCost j) {
            jobs.add(j.jobId());
            jobCost = jobCost.plus(j.cost());
            jobMillis += j.millis();
        }

        UsageLine line() {
            return new UsageLine(key, cost, millis, billedGpu, busyGpu, jobs.size(), jobCost, jobMillis);
        }
    }
}
