package dev.hearth.server.workers;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.local.WorkerLogs;
import dev.hearth.server.envs.PythonEnvs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What a worker on another machine fetches at start (see the Slurm runtime's bootstrap), and where its output goes:
 * its launch (the command and
 * environment a local worker would get), its function's code bundle and the Python worker library, each as a zip
 * made once and kept in the data dir. Paths in the launch are the control plane's; {@link Boot} names the two
 * directories the bootstrap swaps for its own copies.
 */
public final class WorkerDownloads {

    /**
     * A worker's launch with the directories and SHA-256 of its bundle and of the worker library, and the Python
     * environment the node builds for it (null when its manifest has none).
     */
    public record Boot(List<String> command, Map<String, String> env, Path bundleDir, String bundleSha256,
                       Path libraryDir, String librarySha256, PythonEnvs.NodeEnv python) {
    }

    private final WorkerCommands commands;
    private final BiFunction<String, Integer, FunctionVersion> versions;
    private final Function<FunctionVersion, Optional<PythonEnvs.NodeEnv>> nodeEnvs;
    private final Path libraryDir;
    private final Path zips;
    private volatile String librarySha256;

    /**
     * @param versions a function's version by name and number (a worker runs the version it was started for)
     * @param zips     where the zips are kept
     */
    public WorkerDownloads(WorkerCommands commands, BiFunction<String, Integer, FunctionVersion> versions,
                           Function<FunctionVersion, Optional<PythonEnvs.NodeEnv>> nodeEnvs, Path libraryDir,
                           Path zips) {
        this.commands = commands;
        this.nodeEnvs = nodeEnvs;
        this.versions = versions;
        this.libraryDir = libraryDir.toAbsolutePath();
        this.zips = zips;
    }

    /** The launch of the worker, as {@link WorkerCommands} makes it for a local one. */
    public Boot boot(Worker w) {
        FunctionVersion fn = versions.apply(w.function(), w.version());
        WorkerLaunch launch = commands.launch(fn, w, w.token());
        return new Boot(launch.command(), launch.env(), launch.workDir().toAbsolutePath(), fn.bundleSha256(),
                libraryDir, librarySha256(), nodeEnvs.apply(fn).orElse(null));
    }

    /** The zip of the worker's code bundle (links in it, such as volumes, are left out). */
    public Path bundleZip(Worker w) {
        FunctionVersion fn = versions.apply(w.function(), w.version());
        return zip(launchDir(fn), "bundle-" + fn.bundleSha256());
    }

    /**
     * Appends a batch of a remote worker's output (stdout and stderr, as it sent them) to its log file, the file a
     * local worker writes, so its logs and job logs read the same. See {@link WorkerLogs#append}.
     *
     * @param offset how many bytes of its output the worker had sent before this batch
     * @return the log's size after it: where the worker's next batch starts
     */
    public long appendLog(Worker w, long offset, byte[] bytes) {
        try {
            return WorkerLogs.append(commands.logDir(w.function()).resolve(w.id() + ".log"), offset, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the log of worker " + w.id() + ": " + e.getMessage(), e);
        }
    }

    public Path libraryZip() {
        return zip(libraryDir, "library-" + librarySha256());
    }

    private Path launchDir(FunctionVersion fn) {
        return commands.bundleDir(fn);
    }

    private String librarySha256() {
        String sha = librarySha256;
        if (sha == null) {
            sha = librarySha256 = treeSha256(libraryDir);
        }
        return sha;
    }

    private synchronized Path zip(Path dir, String name) {
        Path file = zips.resolve(name + ".zip");
        if (Files.isRegularFile(file)) {
            return file;
        }
        try {
            Files.createDirectories(zips);
            Path tmp = Files.createTempFile(zips, name, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out);
                 Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList()) {
                    zip.putNextEntry(new ZipEntry(dir.relativize(f).toString()));
                    Files.copy(f, zip);
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip " + dir + " for a worker: " + e.getMessage(), e);
        }
    }

    /** A digest of the regular files under {@code dir}: their paths and contents, in order. */
    private static String treeSha256(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !p.toString().endsWith(".pyc")).sorted().toList()) {
                sha.update(dir.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker library in " + dir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
