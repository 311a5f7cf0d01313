package dev.hearth.runtime;

/**
 * Where a runtime whose cluster scheduler places workers itself (Slurm) has one worker now, as that scheduler says.
 *
 * @param job     the scheduler's id for it (a Slurm job id)
 * @param state   the scheduler's state ({@code PENDING}, {@code RUNNING}, ...)
 * @param reason  why it waits, in the scheduler's words ({@code Resources}), or null when it does not
 * @param node    the node it runs on, or null while it waits
 * @param devices the GPU indices the scheduler gave it on that node ({@code CUDA_VISIBLE_DEVICES}), empty for none
 */
public record ScheduledWorker(String job, String state, String reason, String node, String devices) {

    /** Whether it waits for the scheduler to place it. */
    public boolean pending() {
        return "PENDING".equals(state);
    }
}
