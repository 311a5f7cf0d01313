package dev.hearth.runtime.local;

import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox tests run workers in: bubblewrap where this machine has it (CI installs it), as a server would; plain
 * processes where it has none, so that a fresh clone's tests pass there too (the sandbox's own tests then skip).
 */
final class HostSandbox {

    private static final WorkerSandbox SANDBOX = make();

    private HostSandbox() {
    }

    static WorkerSandbox get() {
        return SANDBOX;
    }

    static boolean isBubblewrap() {
        return SANDBOX instanceof Bubblewrap;
    }

    /** The same, hiding these directories from workers. */
    static WorkerSandbox hiding(Path... dirs) {
        return isBubblewrap() ? Bubblewrap.probe("bwrap", WorkerUser.forServer(null), List.of(dirs), List.of())
                : SANDBOX;
    }

    private static WorkerSandbox make() {
        WorkerSandbox sandbox = Bubblewrap.probe("bwrap", WorkerUser.forServer(null), List.of(), List.of());
        if (sandbox instanceof WorkerSandbox.Unavailable u) {
            System.err.println("HostSandbox: " + u.reason() + "; workers in these tests run unsandboxed");
            return WorkerSandbox.unsandboxed();
        }
        return sandbox;
    }
}
