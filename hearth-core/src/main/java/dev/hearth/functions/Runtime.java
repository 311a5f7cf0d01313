package dev.hearth.functions;

/** How a function's worker process is started. */
public enum Runtime {
    /** {@code handler: file.py:function}, served by the bundled {@code hearth_worker} Python library. */
    PYTHON,
    /** {@code command: [...]}: any program that speaks the worker protocol, an unmodified RunPod worker included. */
    COMMAND
}
