package dev.hearth.server.metering;

import dev.hearth.metering.JobCost;
import dev.hearth.metering.UsageInterval;

/** Told of each usage interval and job cost as it is closed, before it is written; must not block. */
public interface UsageSink {

    default void interval(UsageInterval interval) {
    }

    default void jobCost(JobCost cost) {
    }
}
