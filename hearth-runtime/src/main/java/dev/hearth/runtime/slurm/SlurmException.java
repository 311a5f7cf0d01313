package dev.hearth.runtime.slurm;

/** A Slurm tool failed or could not be run; the message carries what it printed. */
public final class SlurmException extends RuntimeException {

    public SlurmException(String message) {
        super(message);
    }
}
