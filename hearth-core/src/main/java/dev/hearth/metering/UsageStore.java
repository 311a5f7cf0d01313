package dev.hearth.metering;

import java.time.Instant;
import java.util.List;

/** Durable usage: worker intervals and job costs. Implemented by the SQL stores next to the jobs. */
public interface UsageStore {

    /** Appends intervals and job costs in one write; durable when it returns. */
    void record(List<UsageInterval> intervals, List<JobCost> jobCosts);

    /** Intervals that ended in {@code [from, to)}, of one function or (null) all, oldest first. */
    List<UsageInterval> intervals(Instant from, Instant to, String function);

    /** Job costs whose attempt ended in {@code [from, to)}, of one function or (null) all, oldest first. */
    List<JobCost> jobCosts(Instant from, Instant to, String function);

    /**
     * What budgets count as spent since {@code since}, of one function or (null) all: every job cost, plus the
     * worker time no job accounts for (starting, idle, draining). Busy worker intervals are left out: the job costs
     * stand for them.
     */
    Money spentSince(String function, Instant since);
}
