package dev.hearth.runtime.gpu;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs nvidia-smi with a deadline: with a wedged driver it can hang for minutes, and startup must not. */
final class NvidiaSmi {

    static final String DEFAULT_EXECUTABLE = "nvidia-smi";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private NvidiaSmi() {
    }

    /**
     * @return stdout of a successful run
     * @throws IOException with a one-line reason when nvidia-smi is missing, fails, or runs past the timeout
     */
    static String query(String executable, Duration timeout, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            boolean missing = String.valueOf(e.getMessage()).matches("(?s).*error(=|:\\s*)2\\b.*");
            throw new IOException(executable + (missing ? " not found" : " cannot be run: " + e.getMessage()), e);
        }
        // Read on the side: a full pipe would block the process and it would never exit.
        CompletableFuture<String> out = readAsync(process.getInputStream());
        CompletableFuture<String> err = readAsync(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(executable + " did not answer within " + timeout.toMillis() + " ms");
            }
            String stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (process.exitValue() != 0) {
                String why = firstLine(err.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
                throw new IOException(executable + " failed with exit code " + process.exitValue()
                        + (why.isEmpty() ? "" : ": " + why));
            }
            return stdout;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(executable + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("cannot read the output of " + executable + ": " + e, e);
        }
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().name("nvidia-smi-reader").start(() -> {
            try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }

    /** Fields of one CSV line; nvidia-smi pads with spaces after commas. */
    static String[] fields(String line) {
        String[] fields = line.split(",", -1);
        for (int i = 0; i < fields.length; i++) {
            fields[i] = fields[i].strip();
        }
        return fields;
    }

    /** A number, or {@code fallback} for "[N/A]", "[Not Supported]" and the like (MIG, some consumer cards). */
    static long number(String field, long fallback) {
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            try {
                return Math.round(Double.parseDouble(field));
            } catch (NumberFormatException e2) {
                return fallback;
            }
        }
    }
}
