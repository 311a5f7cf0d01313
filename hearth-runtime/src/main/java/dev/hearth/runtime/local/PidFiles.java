package dev.hearth.runtime.local;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One file per running worker in the run directory, naming its pid and worker id, so that a control plane that
 * crashed can find and kill the workers it left behind when it starts again.
 */
final class PidFiles {

    static final String SUFFIX = ".pid";

    /** What one pid file says. */
    record Entry(Path file, long pid, String workerId) {
    }

    private PidFiles() {
    }

    static Path fileFor(Path runDir, String workerId) {
        // Worker ids come from the control plane, but a '/' or ".." in one must not escape the run directory.
        return runDir.resolve(URLEncoder.encode(workerId, StandardCharsets.UTF_8) + SUFFIX);
    }

    /** Written to a temporary file and moved, so a crash mid-write never leaves a half-written pid file. */
    static void write(Path file, long pid, String workerId) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, pid + "\n" + workerId + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Empty when the file is gone or not a pid file this runtime wrote. */
    static Optional<Entry> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || lines.get(1).isEmpty()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            return pid > 0 ? Optional.of(new Entry(file, pid, lines.get(1))) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes the file only while it still names {@code pid}: a worker of the same id started since (by another
     * runtime over the same run directory) keeps its file.
     */
    static void deleteIfOwned(Path file, long pid) {
        Optional<Entry> entry = read(file);
        if (entry.isPresent() && entry.get().pid() != pid) {
            return;
        }
        deleteQuietly(file);
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A stale pid file is harmless: the environ check stops a reaper from killing a stranger.
        }
    }

    /** Every pid file in the run directory, including unreadable ones (with pid 0) so they get cleaned up. */
    static List<Path> list(Path runDir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(runDir)) {
            entries.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return files;
    }
}
