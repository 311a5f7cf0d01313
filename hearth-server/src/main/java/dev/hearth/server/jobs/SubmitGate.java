package dev.hearth.server.jobs;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;

/**
 * Asked before a job is accepted (submitted or retried); budgets refuse jobs here. Admission may reserve something
 * for the job, which {@link #release} gives back if the job is then not stored after all.
 */
public interface SubmitGate {

    SubmitGate OPEN = new SubmitGate() {
        @Override
        public void admit(Job job, FunctionVersion fn) {
        }

        @Override
        public void release(Job job) {
        }
    };

    /** @throws dev.hearth.errors.HearthException to refuse the job */
    void admit(Job job, FunctionVersion fn);

    void release(Job job);

    /** Asks {@code first}, then {@code second}; a job the second refuses gets back what the first reserved. */
    static SubmitGate both(SubmitGate first, SubmitGate second) {
        return new SubmitGate() {
            @Override
            public void admit(Job job, FunctionVersion fn) {
                first.admit(job, fn);
                try {
                    second.admit(job, fn);
                } catch (RuntimeException e) {
                    first.release(job);
                    throw e;
                }
            }

            @Override
            public void release(Job job) {
                second.release(job);
                first.release(job);
            }
        };
    }
}
