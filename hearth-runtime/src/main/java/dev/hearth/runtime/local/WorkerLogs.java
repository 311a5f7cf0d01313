package dev.hearth.runtime.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * Worker log files: a local worker appends to {@code <id>.log} at the OS level, a worker on another machine sends its
 * output in batches that {@link #append} writes; this class reads them and keeps them within a size by rotation.
 *
 * <p>Offsets into a worker's log are logical: they count every byte the worker wrote, across rotations. A rotation
 * copies the end of the file to {@code <id>.log.<logical offset of its first byte>} (replacing the previous rotated
 * file) and truncates it, so the file then holds the bytes from the rotated file's end on. Job logs recorded as offset ranges stay valid
 * while their bytes are in either file. Bytes the worker writes between the copy and the truncation are lost, as with
 * logrotate's {@code copytruncate}.
 */
public final class WorkerLogs {

    /** A tail never reads more than this many bytes from the end, however long its lines are. */
    static final int MAX_TAIL_BYTES = 1 << 20;
    private static final int CHUNK = 8192;
    /** Readers take the read lock, a rotation the write lock: no read sees a file truncated but not yet accounted. */
    private static final ReentrantReadWriteLock ROTATION = new ReentrantReadWriteLock();
    /** The logical offset of each log file's first byte, once known; only rotations (in this process) change it. */
    private static final Map<Path, Long> BASES = new ConcurrentHashMap<>();
    /** Appends of remote workers' output: one at a time, so two retries of a batch cannot both land. */
    private static final Object APPENDS = new Object();

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
        ROTATION.readLock().lock();
        try {
            List<String> current = tailOf(logFile, lines);
            Optional<Rotated> rotated = rotatedCopy(logFile);
            if (current.size() >= lines || rotated.isEmpty()) {
                return current;
            }
            List<String> both = new ArrayList<>(tailOf(rotated.get().file(), lines - current.size()));
            both.addAll(current);
            return both;
        } finally {
            ROTATION.readLock().unlock();
        }
    }

    private static List<String> tailOf(Path logFile, int lines) {
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

    /** A rotated log file and the logical offset of its first byte. */
    private record Rotated(Path file, long start) {
    }

    /**
     * The number of bytes the worker has written to this log (logical: rotations included), 0 when it has no file
     * yet.
     */
    public static long size(Path logFile) {
        ROTATION.readLock().lock();
        try {
            return base(logFile) + physicalSize(logFile);
        } finally {
            ROTATION.readLock().unlock();
        }
    }

    /**
     * The bytes of logical range {@code [from, to)} still on disk (in the rotated file and the current one), as
     * {@code [start, start + bytes.length)}: {@code start} is above {@code from} when the beginning was rotated away.
     */
    public static Range read(Path logFile, long from, long to) throws IOException {
        ROTATION.readLock().lock();
        try {
            long base = base(logFile);
            Optional<Rotated> rotated = rotatedCopy(logFile);
            long oldest = rotated.map(Rotated::start).orElse(base);
            long start = Math.max(from, oldest);
            long end = Math.min(to, base + physicalSize(logFile));
            if (end <= start) {
                return new Range(Math.max(0, Math.min(from, end)), new byte[0]);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
            if (start < base && rotated.isPresent()) {
                readInto(rotated.get().file(), start - oldest, Math.min(end, base) - start, buf);
            }
            if (end > base) {
                readInto(logFile, Math.max(start, base) - base, end - Math.max(start, base), buf);
            }
            return new Range(start, Arrays.copyOf(buf.array(), buf.position()));
        } finally {
            ROTATION.readLock().unlock();
        }
    }

    /** Bytes read from a log at logical offset {@code start}. */
    public record Range(long start, byte[] bytes) {
    }

    private static void readInto(Path file, long position, long length, ByteBuffer into) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer part = into.slice(into.position(), (int) length);
            readFully(channel, part, position);
            into.position(into.position() + part.position());
        } catch (NoSuchFileException e) {
            // nothing there (yet): the range stays short
        }
    }

    /**
     * Rotates the log when it holds more than half of {@code maxBytes}: its last {@code maxBytes / 2} bytes become the
     * rotated copy (the older ones are dropped), and the file starts empty. Checked often, the file and its copy stay
     * within {@code maxBytes} plus what the worker writes between two checks.
     *
     * @return whether it rotated
     */
    public static boolean rotateIfOver(Path logFile, long maxBytes) throws IOException {
        if (physicalSize(logFile) <= maxBytes / 2) {
            return false;
        }
        ROTATION.writeLock().lock();
        try {
            long base = base(logFile);
            Optional<Rotated> previous = rotatedCopy(logFile);
            Path copy = logFile.resolveSibling(logFile.getFileName() + ".rotating");
            long size;
            long keptFrom;
            try (FileChannel in = FileChannel.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                size = in.size();
                // however much was written since the last check, the rotated copy keeps only the latest half cap
                keptFrom = Math.max(0, size - maxBytes / 2);
                for (long at = keptFrom; at < size; ) {
                    at += in.transferTo(at, size - at, out);
                }
                in.truncate(0); // the worker appends (O_APPEND), so its next write lands at the new start
            }
            long rotatedStart = base + keptFrom;
            Files.move(copy, logFile.resolveSibling(logFile.getFileName() + "." + rotatedStart),
                    StandardCopyOption.REPLACE_EXISTING);
            if (previous.isPresent() && previous.get().start() != rotatedStart) {
                Files.deleteIfExists(previous.get().file());
            }
            BASES.put(key(logFile), base + size);
            return true;
        } finally {
            ROTATION.writeLock().unlock();
        }
    }

    /**
     * Appends what a worker on another machine sent of its output, at logical offset {@code offset} of its stream
     * (the count of bytes it had sent before these). Idempotent: the part of {@code bytes} the log already holds (a
     * batch sent again after its answer was lost) is skipped. A stream ahead of the log (a batch its sender gave up
     * on) is appended at the log's end: the log's offsets stay the server's, as job logs recorded them.
     *
     * @return the log's logical size after the append: where the sender's next batch starts
     */
    public static long append(Path logFile, long offset, byte[] bytes) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        synchronized (APPENDS) {
            ROTATION.readLock().lock(); // a rotation copies and truncates: not in the middle of an append
            try {
                long size = base(logFile) + physicalSize(logFile);
                long skip = Math.max(0, size - offset);
                if (skip >= bytes.length) {
                    return size;
                }
                Files.createDirectories(logFile.toAbsolutePath().getParent());
                try (FileChannel out = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
                    ByteBuffer buf = ByteBuffer.wrap(bytes, (int) skip, bytes.length - (int) skip);
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                }
                return size + bytes.length - skip;
            } finally {
                ROTATION.readLock().unlock();
            }
        }
    }

    /** Deletes a log and its rotated copy (an expired worker's). */
    public static void delete(Path logFile) throws IOException {
        ROTATION.writeLock().lock();
        try {
            Optional<Rotated> rotated = rotatedCopy(logFile);
            if (rotated.isPresent()) {
                Files.deleteIfExists(rotated.get().file());
            }
            Files.deleteIfExists(logFile);
            BASES.remove(key(logFile));
        } finally {
            ROTATION.writeLock().unlock();
        }
    }

    /** The size on disk of a log and its rotated copy together. */
    public static long diskSize(Path logFile) {
        ROTATION.readLock().lock();
        try {
            return physicalSize(logFile) + rotatedCopy(logFile).map(r -> physicalSize(r.file())).orElse(0L);
        } finally {
            ROTATION.readLock().unlock();
        }
    }

    /** The logical offset of the current file's first byte: where its rotated copy ends, 0 without one. */
    private static long base(Path logFile) {
        Long known = BASES.get(key(logFile));
        if (known != null) {
            return known;
        }
        long base = rotated(logFile).map(r -> r.start() + physicalSize(r.file())).orElse(0L);
        if (BASES.size() > 10_000) {
            BASES.clear(); // workers come and go; this only keeps the map from growing with them
        }
        BASES.put(key(logFile), base);
        return base;
    }

    /** One key per file, however its path was spelled. */
    private static Path key(Path logFile) {
        return logFile.toAbsolutePath().normalize();
    }

    /** The rotated copy of a log; without listing the directory when the log is known never to have rotated. */
    private static Optional<Rotated> rotatedCopy(Path logFile) {
        return base(logFile) == 0 ? Optional.empty() : rotated(logFile);
    }

    private static Optional<Rotated> rotated(Path logFile) {
        String prefix = logFile.getFileName() + ".";
        Path dir = logFile.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.length() > prefix.length()
                            && n.substring(prefix.length()).chars().allMatch(Character::isDigit))
                    .map(n -> new Rotated(dir.resolve(n), Long.parseLong(n.substring(prefix.length()))))
                    .max(Comparator.comparingLong(Rotated::start));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long physicalSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
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
