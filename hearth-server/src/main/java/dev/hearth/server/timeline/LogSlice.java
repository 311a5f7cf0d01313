package dev.hearth.server.timeline;

import dev.hearth.runtime.local.WorkerLogs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Lines read from a byte range of a worker's log (logical offsets, see {@link WorkerLogs}).
 *
 * @param from      the offset of the first byte read
 * @param to        the offset after the last byte read: where the next read continues
 * @param lines     the lines, without line ends
 * @param truncated whether the start of the asked range was left out to stay within the size limit
 */
public record LogSlice(long from, long to, List<String> lines, boolean truncated) {

    /**
     * Reads {@code [from, to)} of the file (to &lt; 0: up to its current end). When the range is longer than
     * {@code maxBytes}, its last {@code maxBytes} are read, starting at a line start. With {@code wholeLines} a final
     * line without its newline yet is left for the next read; use it when following a file that is still written.
     */
    public static LogSlice read(Path file, long from, long to, int maxBytes, boolean wholeLines) {
        try {
            long size = WorkerLogs.size(file);
            long end = to < 0 ? size : Math.min(to, size);
            long start = Math.max(0, Math.min(from, end));
            boolean truncated = false;
            if (end - start > maxBytes) {
                start = end - maxBytes;
                truncated = true;
            }
            WorkerLogs.Range range = WorkerLogs.read(file, start, end);
            // bytes rotated away: what is left starts mid-line, like a cut range
            truncated |= range.start() > start;
            start = range.start();
            byte[] bytes = range.bytes();
            int length = bytes.length;
            int first = 0;
            if (truncated) { // skip the cut line: '\n' never occurs inside a UTF-8 sequence
                while (first < length && bytes[first] != '\n') {
                    first++;
                }
                first = Math.min(length, first + 1);
            }
            int last = length;
            if (wholeLines) {
                while (last > first && bytes[last - 1] != '\n') {
                    last--;
                }
            }
            String text = new String(bytes, first, last - first, StandardCharsets.UTF_8);
            return new LogSlice(start + first, start + last, WorkerLogs.lines(text), truncated);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read log file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes written to the log so far, rotations included; 0 when it does not exist yet. */
    public static long size(Path file) {
        return WorkerLogs.size(file);
    }
}
