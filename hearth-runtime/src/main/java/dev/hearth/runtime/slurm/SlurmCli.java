package dev.hearth.runtime.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slurm's command-line tools ({@code sbatch}, {@code squeue}, {@code scancel}, {@code sinfo}, {@code scontrol}), run
 * with a given {@code slurm.conf} or the one Slurm finds itself. Each call is a process; a failing one throws
 * {@link SlurmException} with what the tool printed.
 */
public final class SlurmCli {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 30;

    private final Path config;

    /** @param config the {@code slurm.conf} to use ({@code SLURM_CONF}), or null for Slurm's own default */
    public SlurmCli(Path config) {
        this.config = config == null ? null : config.toAbsolutePath();
    }

    /** Whether {@code sinfo} answers: Slurm is installed and its controller is up. */
    public boolean answers() {
        try {
            run(List.of("sinfo", "-h", "-o", "%N"), null);
            return true;
        } catch (SlurmException e) {
            return false;
        }
    }

    JsonNode json(List<String> command) {
        String out = run(command, null);
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new SlurmException(String.join(" ", command) + " printed no JSON: " + e.getMessage());
        }
    }

    /** Runs the tool and returns its standard output; {@code stdin} (or nothing) is its input. */
    String run(List<String> command, String stdin) {
        return run(command, stdin, false);
    }

    /**
     * Submits a batch job: {@code sbatch} with the script on its standard input, run with nothing of this process's
     * environment but {@code PATH} and {@code SLURM_CONF}, and {@code --export=ALL}, so the job starts with that
     * environment and Slurm's variables. ({@code --export=NONE} would have slurmd load the user's login environment
     * first, {@code su - user -c env}: seconds per start.)
     *
     * @return the job id
     */
    String submit(List<String> options, String script) {
        List<String> command = new ArrayList<>(List.of("sbatch", "--parsable", "--export=ALL"));
        command.addAll(options);
        return run(command, script, true).strip().split(";")[0];
    }

    private String run(List<String> command, String stdin, boolean cleanEnvironment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        if (cleanEnvironment) {
            String path = System.getenv("PATH");
            builder.environment().clear();
            builder.environment().put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        }
        if (config != null) {
            builder.environment().put("SLURM_CONF", config.toString());
        }
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new SlurmException("cannot run " + command.getFirst() + " (is Slurm installed and on the PATH?): "
                    + e.getMessage());
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()),
                Thread::startVirtualThread);
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the tool exited without reading its input; its exit status and message say why
        }
        String out = read(p.getInputStream());
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SlurmException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS
                        + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new SlurmException(command.getFirst() + " interrupted");
        }
        if (p.exitValue() != 0) {
            throw new SlurmException(String.join(" ", shown(command)) + " failed with exit code " + p.exitValue()
                    + ": " + err.join().strip());
        }
        return out;
    }

    /** The command as logged: long arguments (a comment, a script) shortened. */
    private static List<String> shown(List<String> command) {
        List<String> shown = new ArrayList<>();
        command.forEach(a -> shown.add(a.length() > 120 ? a.substring(0, 120) + "..." : a));
        return shown;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
