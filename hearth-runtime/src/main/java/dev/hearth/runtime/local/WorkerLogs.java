package dev.hearth.runtime.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Reading worker log files, which can grow to gigabytes while the worker keeps appending. */
public final class WorkerLogs {

    /** A tail never reads more than this many bytes from the end, however long its lines are. */
    static final int MAX_TAIL_BYTES = 1 << 20;
    private static final int CHUNK = 8192;

    private WorkerLogs() {
    }

    /**
     * The last {@code lines} lines of a log file, oldest first, read backwards from the end so the cost does not
     * depend on the file's size. A final line without a newline counts as a line. At most {@value #MAX_TAIL_BYTES}
     * bytes are read, so with very long lines the first line returned may be cut at its start.
     *
     * @return an empty list when the file does not exist (the worker has not written anything yet) or
     *         {@code lines <= 0}
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public static List<String> tail(Path logFile, int lines) {
        if (lines <= 0) {
            return List.of();
        }
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ)) {
            long size = channel.size(); // the worker may keep appending; what follows is not our concern
            if (size == 0) {
                return List.of();
            }
            long floor = Math.max(0, size - MAX_TAIL_BYTES);
            long start = startOfLastLines(channel, size, floor, lines);
            ByteBuffer text = ByteBuffer.allocate((int) (size - start));
            readFully(channel, text, start);
            return lines(new String(text.array(), 0, text.position(), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read log file " + logFile + ": " + e.getMessage(), e);
        }
    }

    /** Scans backwards for the newline before the wanted lines; '\n' never occurs inside a UTF-8 sequence. */
    private static long startOfLastLines(FileChannel channel, long size, long floor, int lines) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        int newlines = 0;
        long pos = size;
        while (pos > floor) {
            int length = (int) Math.min(CHUNK, pos - floor);
            pos -= length;
            chunk.clear().limit(length);
            readFully(channel, chunk, pos);
            for (int i = chunk.position() - 1; i >= 0; i--) {
                // The file's final newline ends the last line; it does not start an empty one.
                if (chunk.get(i) == '\n' && pos + i != size - 1 && ++newlines == lines) {
                    return pos + i + 1;
                }
            }
        }
        return floor;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                return; // truncated under us (log rotation): use what was there
            }
        }
    }

    /** Log text as lines, without their line ends ({@code \n} or {@code \r\n}); a final newline ends no empty line. */
    public static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        List<String> result = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            result.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        return result;
    }
}
