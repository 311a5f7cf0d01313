package dev.hearth.server.metering;

import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceCatalogException;
import dev.hearth.metering.PriceCatalogParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.logging.Logger;

/**
 * {@code <dataDir>/prices.yaml}: written with Hearth's default catalog on first start, read at start (a bad file stops
 * the start with the parser's message) and read again when it changes (a bad edit is logged; the catalog in force
 * stays).
 */
public final class PriceCatalogFile {

    private static final Logger LOG = Logger.getLogger(PriceCatalogFile.class.getName());
    public static final String FILE_NAME = "prices.yaml";

    private final Path file;
    private volatile PriceCatalog current;
    private volatile FileTime loadedVersion;

    private PriceCatalogFile(Path file, PriceCatalog current, FileTime version) {
        this.file = file;
        this.current = current;
        this.loadedVersion = version;
    }

    /**
     * Loads the catalog of the data dir, writing the default one first if there is none.
     *
     * @param gpuTypes the GPU types of the inventory, every one of which must have a rate
     * @throws PriceCatalogException if the file does not parse or leaves a GPU type unpriced
     */
    public static PriceCatalogFile open(Path dataDir, Collection<String> gpuTypes) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, PriceCatalogParser.defaultYaml());
                LOG.info("wrote the default price catalog to " + file + "; edit it to match your costs");
            }
            FileTime version = Files.getLastModifiedTime(file);
            PriceCatalog catalog = read(file, gpuTypes);
            return new PriceCatalogFile(file, catalog, version);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the price catalog " + file, e);
        }
    }

    public PriceCatalog current() {
        return current;
    }

    public Path file() {
        return file;
    }

    /** Reloads the file if it changed since it was last read; keeps the catalog in force if the new one is bad. */
    public void refresh(Collection<String> gpuTypes) {
        try {
            FileTime now = Files.getLastModifiedTime(file);
            if (now.equals(loadedVersion)) {
                return;
            }
            loadedVersion = now;
            current = read(file, gpuTypes);
            LOG.info("reloaded the price catalog " + file);
        } catch (IOException | PriceCatalogException e) {
            LOG.warning("the price catalog " + file + " was changed but cannot be used (" + e.getMessage()
                    + "); the previous prices stay in force");
        }
    }

    private static PriceCatalog read(Path file, Collection<String> gpuTypes) throws IOException {
        PriceCatalog catalog;
        try {
            catalog = PriceCatalogParser.parse(Files.readString(file));
        } catch (PriceCatalogException e) {
            throw new PriceCatalogException(file + ": " + e.getMessage());
        }
        for (String type : gpuTypes) {
            if (!catalog.prices(type)) {
                throw new PriceCatalogException(file + " has no rate for GPU type '" + type + "' of this node and no "
                        + "'otherGpu' rate; add one under 'gpus:'");
            }
        }
        return catalog;
    }
}
