package dev.hearth.server.workers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The {@code hearth_worker} Python library travels inside the server jar; at start it is unpacked into the data dir
 * so that python-runtime workers can import it with nothing installed.
 */
public final class PythonLibrary {

    private static final String PREFIX = "hearth-python/";

    private PythonLibrary() {
    }

    /** Unpacks the library under {@code into} and returns the directory to put on PYTHONPATH. */
    public static Path install(Path into) {
        try {
            Files.createDirectories(into);
            Path source = Path.of(PythonLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                Path lib = source.resolve(PREFIX);
                if (Files.isDirectory(lib)) {
                    try (Stream<Path> files = Files.walk(lib)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            copy(Files.newInputStream(f), into.resolve(lib.relativize(f).toString()));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    for (JarEntry e : jar.stream().toList()) {
                        if (e.getName().startsWith(PREFIX) && !e.isDirectory()) {
                            copy(jar.getInputStream(e), into.resolve(e.getName().substring(PREFIX.length())));
                        }
                    }
                }
            }
            return into;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the Python worker library into " + into, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the file only if it changed: rewriting it at every start would make its compiled bytecode stale (see
     * {@code PythonInterpreter}) and every start would compile it again.
     */
    private static void copy(InputStream in, Path to) throws IOException {
        byte[] bytes;
        try (in) {
            bytes = in.readAllBytes();
        }
        if (Files.isRegularFile(to) && java.util.Arrays.equals(Files.readAllBytes(to), bytes)) {
            return;
        }
        Files.createDirectories(to.getParent());
        Files.write(to, bytes);
    }
}
