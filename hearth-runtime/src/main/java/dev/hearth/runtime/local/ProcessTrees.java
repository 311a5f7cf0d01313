package dev.hearth.runtime.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Killing a process with everything it started, and telling whether a pid still belongs to a given worker. */
final class ProcessTrees {

    private ProcessTrees() {
    }

    /** The process and its descendants, parents first. Taken before killing: once a parent dies its children are
     *  re-parented and no longer show up as its descendants. */
    static List<ProcessHandle> tree(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        try {
            root.descendants().forEach(all::add);
        } catch (RuntimeException ignored) {
            // /proc can vanish under us while the tree exits; what we have is what there is to kill.
        }
        return all;
    }

    /**
     * SIGKILLs every handle still alive. ProcessHandle remembers each process's start time, so a pid that has been
     * recycled since the handle was taken is not touched.
     */
    static void killAll(List<ProcessHandle> handles) {
        for (ProcessHandle handle : handles) {
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
    }

    /**
     * Whether {@code /proc/<pid>/environ} holds {@code RUNPOD_POD_ID=<workerId>}: the proof that a pid named by a
     * leftover pid file is still that worker and not a stranger that got the recycled pid. False when unreadable.
     */
    static boolean environHasWorkerId(long pid, String workerId) {
        byte[] environ;
        try {
            environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        } catch (IOException | SecurityException e) {
            return false;
        }
        String wanted = LocalProcessRuntime.WORKER_ID_ENV + "=" + workerId;
        for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (entry.equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
