package dev.hearth.server.envs;

import dev.hearth.envs.EnvKey;
import dev.hearth.errors.HearthException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One environment being built: {@code python -m venv}, then {@code pip install} of its requirements, in its own
 * thread. Every deploy that needs it reads its output lines ({@link #next}) from the first, so a deploy that joins a
 * build under way shows the whole of it, and a deploy whose client went away does not stop it.
 */
final class EnvBuild {

    /** What a reader gets: the lines after the ones it has seen, and whether the build is over. */
    record Progress(List<String> lines, boolean finished) {
    }

    private final EnvKey key;
    private final Path dir;
    private final PipSettings pip;
    private final Set<Process> running;
    private final List<String> lines = new ArrayList<>();
    private boolean finished;
    private RuntimeException failure;

    EnvBuild(EnvKey key, Path dir, PipSettings pip, Set<Process> running) {
        this.key = key;
        this.dir = dir;
        this.pip = pip;
        this.running = running;
    }

    /** Builds into the environment's directory; {@code done} runs after, whatever happened. */
    void run(Runnable writeMarker, Runnable done) {
        try {
            EnvFiles.deleteTree(dir); // a half-built one from a run that stopped midway
            List<String> venv = new ArrayList<>(List.of(key.interpreter(), "-m", "venv"));
            if (key.systemSitePackages()) {
                venv.add("--system-site-packages");
            }
            venv.add(dir.toString());
            line("creating the virtualenv with " + key.interpreter() + " (Python " + key.pythonVersion() + ")");
            exec(venv, "python -m venv");
            if (!key.requirements().isEmpty()) {
                Path file = dir.resolve("hearth-requirements.txt");
                Files.write(file, key.requirements(), StandardCharsets.UTF_8);
                List<String> install = new ArrayList<>(List.of(dir.resolve("bin/python").toString(), "-m", "pip",
                        "install"));
                install.addAll(pip.installArgs());
                install.addAll(List.of("-r", file.toString()));
                line("pip install " + String.join(" ", key.requirements()));
                exec(install, "pip install");
            }
            writeMarker.run();
        } catch (HearthException e) {
            failure = e;
        } catch (IOException | RuntimeException e) {
            failure = new IllegalStateException("building the Python environment " + key.hash() + " failed: " + e, e);
        } finally {
            if (failure != null) {
                try {
                    EnvFiles.deleteTree(dir);
                } catch (IOException e) {
                    failure.addSuppressed(e);
                }
            }
            synchronized (this) {
                finished = true;
                notifyAll();
            }
            done.run();
        }
    }

    private void exec(List<String> command, String what) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("PYTHONUNBUFFERED", "1");
        b.environment().put("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        Process p = b.start();
        running.add(p);
        List<String> errors = new ArrayList<>();
        List<String> tail = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                line(l);
                if (l.startsWith("ERROR:")) {
                    errors.add(l.substring("ERROR:".length()).strip());
                }
                tail.add(l);
                if (tail.size() > 5) {
                    tail.removeFirst();
                }
            }
            int code = p.waitFor();
            if (code != 0) {
                List<String> why = errors.isEmpty() ? tail : errors;
                throw new HearthException.Unprocessable("building the Python environment failed: " + what
                        + " exited with " + code + ": " + String.join(" / ", why));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HearthException.Unavailable("the server stopped while building the Python environment");
        } finally {
            running.remove(p);
            if (p.isAlive()) {
                p.destroyForcibly().onExit().orTimeout(10, TimeUnit.SECONDS);
            }
        }
    }

    private synchronized void line(String l) {
        lines.add(l);
        notifyAll();
    }

    /** Waits for lines after the first {@code seen}, or for the end of the build. */
    synchronized Progress next(int seen) throws InterruptedException {
        while (lines.size() <= seen && !finished) {
            wait();
        }
        return new Progress(List.copyOf(lines.subList(seen, lines.size())), finished);
    }

    /** After {@link Progress#finished}: the build's failure, thrown as is, or nothing. */
    synchronized void rethrow() {
        if (failure != null) {
            throw failure;
        }
    }
}
