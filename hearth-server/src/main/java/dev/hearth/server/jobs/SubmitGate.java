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
}
