package dev.hearth.server.jobs;

import dev.hearth.errors.HearthException;
import dev.hearth.jobs.Job;
import dev.hearth.server.workers.Worker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Results taken by {@link JobService#acceptResults}: why some were refused, and the step that makes the rest visible. */
public final class AcceptedResults {

    private static final Logger LOG = Logger.getLogger(AcceptedResults.class.getName());

    private final ResultIntake intake;
    private final Worker worker;
    private final List<HearthException> refused;
    private final List<JobService.ResultItem> accepted;
    private final List<Job> next;
    private final CompletableFuture<List<Boolean>> written;

    /** {@code next.get(k)} is the job after {@code accepted.get(k)}; {@code written} says, per job, if it applied. */
    AcceptedResults(ResultIntake intake, Worker worker, List<HearthException> refused,
                    List<JobService.ResultItem> accepted, List<Job> next, CompletableFuture<List<Boolean>> written) {
        this.intake = intake;
        this.worker = worker;
        this.refused = refused;
        this.accepted = accepted;
        this.next = next;
        this.written = written;
    }

    /** For each item, null if it was accepted, else why it was refused (as {@link JobService#result} would throw). */
    public List<HearthException> refused() {
        return refused;
    }

    /**
     * Waits until the results are durable, then makes them visible (status, runsync waiters, events). A result
     * the store did not take, because the job changed meanwhile (a cancel or a timeout came first), is decided
     * again one by one; if the worker's write failed, its jobs stay in progress until their lease runs out.
     */
    public void publish() {
        List<Boolean> applied;
        try {
            applied = written.join();
        } catch (CompletionException e) {
            LOG.log(Level.WARNING, "could not write " + next.size() + " results of worker " + worker.id()
                    + "; their jobs go back to the queue when their leases run out", e.getCause());
            return;
        }
        intake.publish(worker, accepted, next, applied);
    }
}
