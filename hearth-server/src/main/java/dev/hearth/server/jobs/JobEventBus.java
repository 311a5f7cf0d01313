package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import dev.hearth.server.workers.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Fans job events out to every listener; one failing listener never stops the others or the job path. */
public final class JobEventBus implements JobEvents {

    private static final Logger LOG = Logger.getLogger(JobEventBus.class.getName());
    private final List<JobEvents> listeners = new CopyOnWriteArrayList<>();

    public void add(JobEvents... more) {
        listeners.addAll(List.of(more));
    }

    private void each(java.util.function.Consumer<JobEvents> call) {
        for (JobEvents l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "job event listener " + l.getClass().getSimpleName() + " failed", e);
            }
        }
    }

    @Override
    public void submitted(Job job) {
        each(l -> l.submitted(job));
    }

    @Override
    public void started(Job job, Worker worker) {
        each(l -> l.started(job, worker));
    }

    @Override
    public void requeued(Job job, String reason) {
        each(l -> l.requeued(job, reason));
    }

    @Override
    public void removed(Job job) {
        each(l -> l.removed(job));
    }

    @Override
    public void progressed(Job job, Worker worker, String progress) {
        each(l -> l.progressed(job, worker, progress));
    }

    @Override
    public void finished(Job job) {
        each(l -> l.finished(job));
    }

    @Override
    public void retireWorker(Worker worker, String reason) {
        each(l -> l.retireWorker(worker, reason));
    }

    @Override
    public void drainWorker(Worker worker, String reason) {
        each(l -> l.drainWorker(worker, reason));
    }
}
